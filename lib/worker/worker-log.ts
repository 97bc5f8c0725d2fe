import { Logger, LogLevel } from '@nestjs/common';
import { ErrorDetails, PoisonTaskError } from '../errors';
import { isTransientRedisError } from '../redis/connection-errors';
import { TaskRef, WorkerEvent } from '../core/worker-event';
import { blockText, cellText } from '../core/terminal-text';

/** Within this long, a repeat of a transient Redis error goes to debug, not warn. */
const REPEAT_WINDOW_MS = 60_000;
/** Ids listed in one line at most; the rest are counted. */
const MAX_IDS = 10;

/**
 * What an operator should see of the worker without subscribing to `events$`: its start and
 * stop, its errors, tasks that failed for good, lost leases and reclaimed tasks. Each task's
 * run is logged at debug/verbose only: a busy worker would flood the log at info level.
 * Written through Nest's Logger, so the app's logger settings apply.
 */
export class WorkerLog {
  private readonly logger = new Logger('taskmill:Worker');
  private readonly levels: ReadonlySet<LogLevel>;
  /** A Redis outage makes every part of the worker fail, over and over: log it once a minute. */
  private transientLoggedAt = -Infinity;
  private transientRepeats = 0;

  constructor(
    levels: LogLevel[],
    private readonly concurrency: number,
  ) {
    this.levels = new Set(levels);
  }

  /**
   * Task names, ids and errors come from whoever enqueued or ran the task: control characters
   * are written as visible escapes, so that they can neither drive the operator's terminal nor
   * forge log lines (a newline in an error message stays on its line).
   */
  write(level: LogLevel, message: string, stack?: string): void {
    if (!this.levels.has(level)) return;
    const line = cellText(message);
    if (level === 'error' || level === 'fatal') {
      this.logger[level](line, stack === undefined ? undefined : blockText(stack));
    } else this.logger[level](line);
  }

  /** Redis answers again: the next outage's first error is logged at once. */
  redisBack(): void {
    this.transientLoggedAt = -Infinity;
    this.transientRepeats = 0;
  }

  on(event: WorkerEvent): void {
    switch (event.type) {
      case 'worker.started':
        return this.write(
          'log',
          `worker started on queues ${event.queues.join(', ')} (concurrency ${this.concurrency})`,
        );
      case 'worker.stopped':
        return this.write('log', 'worker stopped');
      case 'worker.error':
        return this.workerError(event.error);
      case 'task.started':
        return this.write('verbose', `${describeTask(event.task)} started`);
      case 'task.succeeded':
        return this.write(
          'debug',
          `${describeTask(event.task)} succeeded in ${event.durationMs} ms`,
        );
      case 'task.retrying':
        return this.write(
          'debug',
          `${describeTask(event.task)} failed (${event.error.name}: ${event.error.message}); ` +
            `retrying in ${event.delayMs} ms`,
        );
      case 'task.failed':
        return this.taskFailed(event.task, event.error);
      case 'task.cancelled':
        return this.write('debug', `${describeTask(event.task)} cancelled`);
      case 'task.released':
        return this.write(
          'log',
          `${describeTask(event.task)} handed back to its queue on shutdown`,
        );
      case 'task.lease-lost':
        return this.write(
          'warn',
          `${describeTask(event.task)} lost its lease (not renewed within leaseMs: the event loop ` +
            `was blocked or Redis unreachable); a newer attempt owns it, this run's outcome was ` +
            `not recorded`,
        );
      case 'leases.reclaimed':
        return this.leasesReclaimed(event.reclaimed, event.failed);
      case 'integrity.repaired':
        return this.write(
          'warn',
          `integrity scan failed ${plural(event.failed.length, 'task')} that no worker would ` +
            `ever run into the dead-letter set: ${listIds(event.failed)}`,
        );
      case 'schedule.fired':
        return this.write('debug', `schedule ${event.schedule} fired: task ${event.taskId}`);
      default:
        // hook.failed: HookInvoker logs it where it happens.
        return;
    }
  }

  private workerError(error: Error): void {
    if (!isTransientRedisError(error)) {
      return this.write('error', `worker error: ${error.message}`, error.stack);
    }
    const now = performance.now();
    if (now - this.transientLoggedAt < REPEAT_WINDOW_MS) {
      this.transientRepeats++;
      return this.write('debug', `worker error (repeated): ${error.message}`);
    }
    const repeats = this.transientRepeats;
    this.transientLoggedAt = now;
    this.transientRepeats = 0;
    this.write(
      'warn',
      `worker error, retrying with backoff: ${error.message}` +
        (repeats > 0 ? ` (and ${plural(repeats, 'similar error')} in the last minute)` : ''),
    );
  }

  /** One line at error level without the stack (the dead-letter set keeps it); it at debug. */
  private taskFailed(task: TaskRef, error: ErrorDetails): void {
    this.write(
      'error',
      `${describeTask(task, false)} failed for good after ${plural(task.attempt, 'attempt')}: ` +
        `${error.name}: ${error.message}`,
    );
    if (error.stack) this.write('debug', error.stack);
  }

  private leasesReclaimed(reclaimed: string[], failed: string[]): void {
    if (reclaimed.length > 0) {
      this.write(
        'warn',
        `took back ${plural(reclaimed.length, 'task')} whose worker died (lease expired); ` +
          `they run again: ${listIds(reclaimed)}`,
      );
    }
    if (failed.length > 0) {
      this.write(
        'error',
        `failed ${plural(failed.length, 'task')} that killed their worker more than maxReclaims ` +
          `times (${PoisonTaskError.name}, in the dead-letter set): ${listIds(failed)}`,
      );
    }
  }
}

function describeTask(task: TaskRef, attempt = true): string {
  const run = attempt ? `, attempt ${task.attempt}` : '';
  return `task ${task.name} (id ${task.id}, queue ${task.queue}${run})`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function listIds(ids: string[]): string {
  const shown = ids.slice(0, MAX_IDS).join(', ');
  return ids.length > MAX_IDS ? `${shown} and ${ids.length - MAX_IDS} more` : shown;
}
