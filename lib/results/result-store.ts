import { filter, firstValueFrom, timeout as rxTimeout, TimeoutError } from 'rxjs';
import { TASK_FIELDS as F } from '../broker/keys';
import { TaskRouter } from '../broker/task-router';
import { ErrorDetails, ResultTimeoutError } from '../errors';
import { RedisConnections } from '../redis/redis-connections';
import { Serializer } from '../serialization/serializer';
import { StatusTracker } from '../status/status-tracker';
import { TrackedUpdate } from '../status/status-codec';
import { checkDuration } from '../validation/checks';
import { isTerminal, TaskStatus } from '../core/task-status';
import { settlementOf, StoredOutcome, valueOf } from './settlement';

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
    return valueOf<T>(id, settlementOf(id, await this.outcomeOf(final, queue)));
  }

  /**
   * The outcome a final update tells: a small result travels inside its SUCCEEDED event; a
   * larger one is read from the record. An UNKNOWN update (its worker found the record gone:
   * Redis lost its data) and any other tell UNKNOWN.
   */
  async outcomeOf({ update, result }: TrackedUpdate, queue?: string): Promise<StoredOutcome> {
    switch (update.status) {
      case TaskStatus.SUCCEEDED:
        if (result === undefined) return this.get(update.id, queue);
        return {
          status: update.status,
          value: result === '' ? undefined : this.serializer.deserialize(result),
        };
      case TaskStatus.FAILED:
        return {
          status: update.status,
          error: update.error ?? UNKNOWN_ERROR,
          attempts: update.attempt,
        };
      case TaskStatus.CANCELLED:
        return { status: update.status };
      default:
        return { status: TaskStatus.UNKNOWN };
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
}

const UNKNOWN_ERROR: ErrorDetails = { name: 'Error', message: 'no error was recorded' };
