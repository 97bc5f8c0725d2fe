import { StatusUpdate, WorkerEvent } from '../lib';

const startedAt = Date.now();

/** One line of sample output, stamped with the time since start so the pacing shows. */
export function log(line: string): void {
  const elapsed = ((Date.now() - startedAt) / 1000).toFixed(2);
  console.log(`+${elapsed}s  ${line}`);
}

/** `import.rows   1a2b3c4d  running    attempt 1  progress 2/4` */
export function formatStatus(update: StatusUpdate): string {
  const parts = [update.task.padEnd(12), update.id.slice(0, 8), update.status.padEnd(9)];
  // attempt is 0 until the first run starts: not worth printing.
  if (update.attempt > 0) parts.push(`attempt ${update.attempt}`);
  if (update.progress !== undefined) parts.push(`progress ${formatProgress(update.progress)}`);
  if (update.error) parts.push(`error: ${update.error.message}`);
  return parts.join('  ');
}

function formatProgress(progress: unknown): string {
  const { done, total } = (progress ?? {}) as { done?: unknown; total?: unknown };
  return typeof done === 'number' && typeof total === 'number'
    ? `${done}/${total}`
    : JSON.stringify(progress);
}

/**
 * Prints the worker's own life from `worker.events$` and tallies its runs for a summary.
 * (Per-task lines come from status$, which sees every process; these are this process only.)
 */
export class WorkerLog {
  private readonly counts = { started: 0, succeeded: 0, retried: 0, failed: 0 };

  on(event: WorkerEvent): void {
    switch (event.type) {
      case 'worker.started':
        return log(`worker started on queue(s): ${event.queues.join(', ')}`);
      case 'worker.stopped':
        return log('worker stopped');
      case 'worker.error':
        return log(`worker error: ${event.error.message}`);
      case 'task.started':
        this.counts.started++;
        return;
      case 'task.succeeded':
        this.counts.succeeded++;
        return;
      case 'task.retrying':
        this.counts.retried++;
        return;
      case 'task.failed':
        this.counts.failed++;
        return;
    }
  }

  summary(): string {
    const { started, succeeded, retried, failed } = this.counts;
    return `worker ran ${started} attempts: ${succeeded} succeeded, ${retried} retried, ${failed} failed`;
  }
}
