import { TaskmillError } from './taskmill.error';

/** Bad module, decorator or enqueue options, caught before anything is written to Redis. */
export class InvalidOptionsError extends TaskmillError {
  constructor(
    /** Dotted path of the offending option, e.g. `worker.concurrency`. */
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid option "${field}": ${problem}`);
  }
}
