import { TaskmillError } from './taskmill.error';

/** A task asked to wait for tasks that (through the tasks they wait for) wait for it. */
export class WaitCycleError extends TaskmillError {
  constructor(readonly cycle: string[]) {
    super(
      `Waiting would never end: ${cycle.join(' → ')} is a cycle (each task waits for the ` +
        `next). Wait only for tasks that do not wait for this one, e.g. children it enqueued.`,
    );
  }
}
