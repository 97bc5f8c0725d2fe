import { Injectable } from '@nestjs/common';
import { Task, taskContext, TaskStatus } from '../../lib';
import { sleep } from '../support/broker';
import { waitUntilTerminal } from '../support/fault-outcomes';
import { Ledger } from '../support/ledger';
import { rawRedis } from '../support/redis';
import { queueState } from '../support/queue-state';
import { createTestApp, TestApp } from '../support/test-app';

const QUEUE = 'prio-work';
const started = new Ledger<string>();
let gate: Promise<void> = Promise.resolve();
let openGate: () => void = () => undefined;

/** Holds every handler that starts until openGate() is called. */
function closeGate(): void {
  gate = new Promise((resolve) => (openGate = resolve));
}

@Injectable()
class Work {
  @Task({ name: 'prio.work', queue: QUEUE, retries: 0 })
  async run(label: string): Promise<string> {
    started.add(`${label}:${taskContext().id}`);
    await gate;
    await sleep(1);
    return label;
  }
}

describe('priority management with a running worker', () => {
  let t: TestApp;
  afterEach(async () => {
    openGate();
    await t.close();
    started.entries.length = 0;
  });

  async function app(concurrency: number): Promise<TestApp> {
    t = await createTestApp([Work], { worker: { enabled: false, concurrency } });
    return t;
  }

  async function enqueue(count: number, priority: (i: number) => number): Promise<string[]> {
    const handles = await t.queue.enqueueMany(
      Array.from({ length: count }, (_, i) => ({
        task: 'prio.work',
        args: [`t${i}`],
        options: { queue: QUEUE, priority: priority(i) },
      })),
    );
    return handles.map((h) => h.id);
  }

  const ranIds = () => started.entries.map((entry) => entry.split(':')[1]);

  it('reprioritizes waiting tasks while the worker is busy; the running one stays as it is', async () => {
    await app(1);
    closeGate();
    const [blocker] = await enqueue(1, () => 0);
    await t.worker.start();
    await started.until(1);
    const [a, b, c] = await enqueue(3, () => 0);
    await expect(t.queue.reprioritize(c, -1)).resolves.toBe(true);
    await expect(t.queue.reprioritize(blocker, -5)).resolves.toBe(false);
    openGate();
    await started.until(4);
    expect(ranIds()).toEqual([blocker, c, a, b]);
  });

  it('removes only waiting tasks: the running ones finish, the removed never run', async () => {
    await app(4);
    closeGate();
    const ids = await enqueue(300, () => 1);
    await t.worker.start();
    await started.until(4);
    await expect(t.queue.removeByPriority(QUEUE, { above: 0 })).resolves.toBe(296);
    openGate();
    expect(await waitUntilTerminal(t.queue, ids, 30_000)).toEqual([]);
    const statuses = await Promise.all(
      ids.map(async (id) => (await t.queue.handle(id).status()).status),
    );
    const succeeded = ids.filter((_, i) => statuses[i] === TaskStatus.SUCCEEDED);
    expect(succeeded.sort()).toEqual(ranIds().sort());
    expect(statuses.filter((s) => s === TaskStatus.CANCELLED)).toHaveLength(296);
  });

  it('loses and repeats nothing when promoteAll races the worker', async () => {
    await app(4);
    const ids = await enqueue(300, (i) => i % 5);
    await t.worker.start();
    for (let i = 0; i < 5; i++) await t.queue.promoteAll(QUEUE, 1);
    expect(await waitUntilTerminal(t.queue, ids, 30_000)).toEqual([]);
    expect(ranIds().sort()).toEqual([...ids].sort());
    const redis = rawRedis();
    expect(await queueState(redis, t, QUEUE)).toMatchObject({ priorities: [], ready: {} });
    redis.disconnect();
  });
});
