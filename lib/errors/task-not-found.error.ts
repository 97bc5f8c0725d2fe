import { TaskmillError } from './taskmill.error';

/**
 * No record of a task id: it never existed under this prefix, it expired after `resultTtl`,
 * or Redis lost it (a restart without persistence, FLUSHALL, a failover) while it was followed.
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
        `${kind === 'task' ? 'it' : 'its tasks'} finished and ` +
        `${kind === 'task' ? 'its record' : 'their records'} expired after resultTtl, or Redis ` +
        `lost its data (a restart without persistence, FLUSHALL, a failover). Raise resultTtl ` +
        `to keep results longer; run Redis with persistence (AOF) to keep tasks across restarts.`,
    );
  }
}
