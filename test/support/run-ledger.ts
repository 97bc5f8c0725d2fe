import { Redis } from 'ioredis';
import { taskContext } from '../../lib';
import { Ledger } from './ledger';
import { testRedisUrl } from './redis';

/**
 * Records every handler run that reached its end (task id and attempt) in a Redis list on the
 * private test server. A list outlives the worker process that ran the handler, and the test
 * server is never the one a fault scenario kills, so the ledger survives every fault.
 */
export class RunLedger {
  private readonly redis = new Redis(testRedisUrl());
  private readonly key: string;

  /** Every process that builds a ledger with the same `name` appends to the same list. */
  constructor(name: string) {
    this.key = `taskmill-test-ledger:${name}`;
  }

  async append(id: string, attempt: number): Promise<void> {
    await this.redis.rpush(this.key, `${id} ${attempt}`);
  }

  /** The attempts of each task whose handler ran to its end, in the order they did. */
  async runsById(): Promise<Map<string, number[]>> {
    const runs = new Map<string, number[]>();
    for (const entry of await this.redis.lrange(this.key, 0, -1)) {
      const [id, attempt] = entry.split(' ');
      runs.set(id, [...(runs.get(id) ?? []), Number(attempt)]);
    }
    return runs;
  }

  close(): void {
    this.redis.disconnect();
  }
}

/**
 * The handler body of the failover specs: notes the run's start in `started`, works `ms`, then
 * appends the run to `ledger` (on the test server, outside the servers the fault hits).
 */
export async function ledgeredRun(
  ledger: RunLedger,
  started: Ledger<string>,
  ms: number,
): Promise<string> {
  const { id, attempt } = taskContext();
  started.add(id);
  await new Promise((resolve) => setTimeout(resolve, ms));
  await ledger.append(id, attempt);
  return id;
}
