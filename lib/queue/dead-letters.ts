import { Broker } from '../broker/broker';
import { KeyBuilder, TASK_FIELDS as F } from '../broker/keys';
import { ErrorDetails, InvalidOptionsError } from '../errors';
import { RedisConnections } from '../redis/redis-connections';
import { checkName, checkPage, checkTaskId } from '../validation/checks';

/** A failed task in its queue's dead-letter set. */
export interface DeadLetter {
  id: string;
  task: string;
  queue: string;
  /** When it failed for good, epoch ms (Redis server clock). */
  failedAt: number;
  /** Runs it had. */
  attempt: number;
  error: ErrorDetails | undefined;
}

export interface DeadLetterPage {
  /** Skip this many, newest first. Default 0. */
  offset?: number;
  /** At most this many, 1 to 1 000. Default 100. */
  limit?: number;
}

const MAX_BATCH = 1000;

/** Lists, requeues and purges a queue's failed tasks (Alsek's dead-letter queue). */
export class DeadLetters {
  constructor(
    private readonly broker: Broker,
    private readonly connections: RedisConnections,
    private readonly keys: KeyBuilder,
  ) {}

  /** The queue's failed tasks, newest first. */
  async list(queue: string, page?: DeadLetterPage): Promise<DeadLetter[]> {
    checkName(queue, 'queue');
    const { offset, limit } = checkPage(page, MAX_BATCH);
    const redis = this.connections.command;
    const entries = await this.connections.guard(() =>
      redis.zrevrange(this.keys.queue(queue, 'dead'), offset, offset + limit - 1, 'WITHSCORES'),
    );
    const ids = entries.filter((_, i) => i % 2 === 0);
    const records = await this.connections.guard(() =>
      Promise.all(ids.map((id) => redis.hmget(this.keys.task(id), F.name, F.attempt, F.error))),
    );
    return ids.map((id, i) => {
      const [task, attempt, error] = records[i];
      return {
        id,
        task: task ?? '',
        queue,
        failedAt: Number(entries[i * 2 + 1]),
        attempt: Number(attempt ?? 0),
        error: error ? (JSON.parse(error) as ErrorDetails) : undefined,
      };
    });
  }

  /** Runs failed tasks again (the given ids, else up to 1 000 of the oldest); returns their ids. */
  async requeue(queue: string, ids: string[] = []): Promise<string[]> {
    return this.broker.requeueDead(checkName(queue, 'queue'), this.checkIds(ids), MAX_BATCH);
  }

  /** Deletes failed tasks (the given ids, else up to 1 000 of the oldest); returns how many. */
  async purge(queue: string, ids: string[] = []): Promise<number> {
    return this.broker.purgeDead(checkName(queue, 'queue'), this.checkIds(ids), MAX_BATCH);
  }

  private checkIds(ids: string[]): string[] {
    if (!Array.isArray(ids)) throw new InvalidOptionsError('ids', 'must be an array of task ids');
    if (ids.length > MAX_BATCH) {
      throw new InvalidOptionsError('ids', `at most ${MAX_BATCH} ids per call, got ${ids.length}`);
    }
    return ids.map((id, i) => checkTaskId(id, `ids[${i}]`));
  }
}
