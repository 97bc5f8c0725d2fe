import { TaskmillError } from './taskmill.error';

/**
 * No record of a task id: it never existed under this prefix, or it expired after `resultTtl`.
 * Also thrown by `findChain` / `findChord` for a workflow id none of whose records is left.
 */
export class TaskNotFoundError extends TaskmillError {
  constructor(
    readonly taskId: string,
    /** What was looked for: a task, or the chain or chord `taskId` names. */
    readonly kind: 'task' | 'chain' | 'chord' = 'task',
  ) {
    super(
      `No ${kind} with id "${taskId}" exists: it was never enqueued under this prefix, ` +
        `or ${kind === 'task' ? 'it' : 'its tasks'} finished and ${kind === 'task' ? 'its record' : 'their records'} ` +
        `expired after resultTtl. Raise resultTtl to keep results longer.`,
    );
  }
}
