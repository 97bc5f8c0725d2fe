import { filter, firstValueFrom, timeout as rxTimeout, TimeoutError } from 'rxjs';
import { TASK_FIELDS as F } from '../broker/keys';
import { TaskRouter } from '../broker/task-router';
import {
  ErrorDetails,
  ResultTimeoutError,
  TaskCancelledError,
  TaskFailedError,
  TaskNotFoundError,
} from '../errors';
import { RedisConnections } from '../redis/redis-connections';
import { Serializer } from '../serialization/serializer';
import { StatusTracker } from '../status/status-tracker';
import { TrackedUpdate } from '../status/status-codec';
import { checkDuration } from '../validation/checks';
import { isTerminal, TaskStatus } from '../core/task-status';

/** A task's outcome as stored: the value, or why there is none. */
export type StoredOutcome =
  | { status: TaskStatus.SUCCEEDED; value: unknown }
  | { status: TaskStatus.FAILED; error: ErrorDetails; attempts: number }
  | { status: TaskStatus.CANCELLED }
  | { status: TaskStatus.SUBMITTED | TaskStatus.RUNNING | TaskStatus.RETRYING }
  | { status: TaskStatus.UNKNOWN };

/**
 * Results live in the task's own hash (field `result`) and expire with it after `resultTtl`.
 * Waiting for one rides on the status events stream: no polling.
 */
export class ResultStore {
  constructor(
    private readonly connections: RedisConnections,
    private readonly router: TaskRouter,
    private readonly serializer: Serializer,
    private readonly tracker: StatusTracker,
  ) {}

  /** The stored outcome right now, without waiting. */
  async get(id: string, queue?: string): Promise<StoredOutcome> {
    const key = this.router.slotOfTask(id, queue).task(id);
    const [status, result, error, attempt] = await this.connections.guard(() =>
      this.connections.command.hmget(key, F.status, F.result, F.error, F.attempt),
    );
    return this.decode(status, result, error, attempt);
  }

  /**
   * The stored outcomes of many tasks (one pipelined batch), each with the stream id of the
   * task's latest change (null without a record): finished tasks sort by when they finished.
   */
  async getMany(
    tasks: { id: string; queue?: string }[],
  ): Promise<{ outcome: StoredOutcome; changedAt: string | null }[]> {
    const { command } = this.connections;
    const keys = tasks.map(({ id, queue }) => this.router.slotOfTask(id, queue).task(id));
    const replies = await this.connections.guard(() =>
      Promise.all(
        keys.map((key) => command.hmget(key, F.status, F.result, F.error, F.attempt, F.eventId)),
      ),
    );
    return replies.map(([status, result, error, attempt, changedAt]) => ({
      outcome: this.decode(status, result, error, attempt),
      changedAt,
    }));
  }

  /**
   * Resolves with the task's return value once it succeeds; rejects with TaskFailedError,
   * TaskCancelledError, TaskNotFoundError, or ResultTimeoutError after `timeoutMs`.
   * One read, then the events stream: a small result arrives inside its SUCCEEDED event.
   */
  async wait<T>(id: string, timeoutMs?: number, queue?: string): Promise<T> {
    if (timeoutMs !== undefined) checkDuration(timeoutMs, 'timeout');
    const final$ = this.tracker
      .watch$(id, queue, true)
      .pipe(
        filter(({ update }) => isTerminal(update.status) || update.status === TaskStatus.UNKNOWN),
      );
    let final: TrackedUpdate;
    try {
      final = await firstValueFrom(
        timeoutMs === undefined ? final$ : final$.pipe(rxTimeout(timeoutMs)),
      );
    } catch (error) {
      if (error instanceof TimeoutError) throw new ResultTimeoutError(id, timeoutMs as number);
      throw error;
    }
    const { update, result } = final;
    switch (update.status) {
      case TaskStatus.SUCCEEDED:
        if (result === undefined) return this.unwrap<T>(id, await this.get(id, queue));
        return (result === '' ? undefined : this.serializer.deserialize(result)) as T;
      case TaskStatus.FAILED:
        throw new TaskFailedError(id, update.attempt, update.error ?? UNKNOWN_ERROR);
      case TaskStatus.CANCELLED:
        throw new TaskCancelledError(id);
      default:
        throw new TaskNotFoundError(id);
    }
  }

  private decode(
    status: string | null,
    result: string | null,
    error: string | null,
    attempt: string | null,
  ): StoredOutcome {
    switch (status) {
      case null:
        return { status: TaskStatus.UNKNOWN };
      case TaskStatus.SUCCEEDED:
        return { status, value: result ? this.serializer.deserialize(result) : undefined };
      case TaskStatus.FAILED:
        return {
          status,
          error: JSON.parse(error ?? '{}') as ErrorDetails,
          attempts: Number(attempt),
        };
      default:
        return { status: status as TaskStatus.SUBMITTED };
    }
  }

  private unwrap<T>(id: string, outcome: StoredOutcome): T {
    switch (outcome.status) {
      case TaskStatus.SUCCEEDED:
        return outcome.value as T;
      case TaskStatus.FAILED:
        throw new TaskFailedError(id, outcome.attempts, outcome.error);
      case TaskStatus.CANCELLED:
        throw new TaskCancelledError(id);
      default:
        throw new TaskNotFoundError(id);
    }
  }
}

const UNKNOWN_ERROR: ErrorDetails = { name: 'Error', message: 'no error was recorded' };
