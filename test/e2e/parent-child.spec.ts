import { Injectable } from '@nestjs/common';
import { InvalidOptionsError, Task, TaskFailedError, taskContext } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { KeyBuilder } from '../../lib/broker/keys';
import { TaskRouter } from '../../lib/broker/task-router';
import { testBroker } from '../support/broker';
import { rawRedis, redisFunctionsInTests, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

let running = 0;
let mostAtOnce = 0;

@Injectable()
class Family {
  @Task({ name: 'family.parent', queue: 'family' })
  async parent(children: number): Promise<number> {
    const { enqueueChild, waitFor } = taskContext();
    const handles = await Promise.all(
      Array.from({ length: children }, (_, i) => enqueueChild('family.child', [i + 1])),
    );
    const results = (await waitFor(handles, { timeout: 10_000 })) as number[];
    return results.reduce((a, b) => a + b, 0);
  }

  @Task({ name: 'family.child', queue: 'family' })
  async child(n: number): Promise<number> {
    return n * 10;
  }

  @Task({ name: 'family.self', queue: 'family', retries: 0 })
  async self(): Promise<void> {
    const { id, waitFor } = taskContext();
    await waitFor([id]);
  }

  /** Times out while it waits for a child that no worker runs (its queue has none). */
  @Task({ name: 'family.abandoned', queue: 'family', retries: 0, timeout: 200 })
  async abandoned(): Promise<void> {
    const { enqueueChild, waitFor } = taskContext();
    await waitFor([await enqueueChild('family.child', [0], { queue: 'nobody-runs-this' })]);
  }

  @Task({ name: 'family.busy', queue: 'family' })
  async busy(): Promise<void> {
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    await new Promise((resolve) => setTimeout(resolve, 50));
    running--;
  }

  @Task({ name: 'family.bad', queue: 'family', retries: 0 })
  async bad(): Promise<void> {
    await taskContext().waitFor([]);
  }
}

describe('parents waiting for children', () => {
  let app: TestApp;
  afterEach(() => app.close());

  it('a parent waits for its children without holding its slot (concurrency 1 does not deadlock)', async () => {
    app = await createTestApp([Family], { worker: { concurrency: 1 } });
    const parent = await app.queue.enqueue('family.parent', [3]);
    await expect(parent.result({ timeout: 10_000 })).resolves.toBe(60);
  });

  it('takes back the slot a waiting parent lent when the parent ends before its children', async () => {
    app = await createTestApp([Family], { worker: { concurrency: 1 } });
    const parent = await app.queue.enqueue('family.abandoned', []);
    const failure = await parent.result({ timeout: 5000 }).catch((error: unknown) => error);
    expect((failure as TaskFailedError).remoteName).toBe('TaskTimeoutError');
    // Its wait goes on in the handler, but the worker is back to one slot: one task at a time.
    const busy = await Promise.all([1, 2, 3].map(() => app.queue.enqueue('family.busy', [])));
    await Promise.all(busy.map((handle) => handle.result({ timeout: 5000 })));
    expect(mostAtOnce).toBe(1);
  });

  it('refuses a wait that would never end (a task waiting for itself) with WaitCycleError', async () => {
    app = await createTestApp([Family]);
    const self = await app.queue.enqueue('family.self', []);
    const failure = await self.result({ timeout: 5000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TaskFailedError);
    expect((failure as TaskFailedError).remoteName).toBe('WaitCycleError');
    expect((failure as TaskFailedError).remoteMessage).toContain(`${self.id} → ${self.id}`);
    const bad = await app.queue.enqueue('family.bad', []);
    const badFailure = await bad.result({ timeout: 5000 }).catch((error: unknown) => error);
    expect((badFailure as TaskFailedError).remoteName).toBe(InvalidOptionsError.name);
  });
});

describe('the wait graph', () => {
  it('finds cycles through other waiting tasks, and forgets a wait once it is over', async () => {
    const { broker, redis } = testBroker();
    const ref = (id: string) => ({ id, attempt: 1, slot: broker.router.slotFor('q', id) });
    const inQ = (...ids: string[]) => ids.map(() => 'q');
    expect(await broker.waitFor(ref('a'), ['b', 'c'], inQ('b', 'c'))).toBeUndefined();
    expect(await broker.waitFor(ref('c'), ['d'], inQ('d'))).toBeUndefined();
    expect(await broker.waitFor(ref('d'), ['a'], inQ('a'))).toEqual(['d', 'a', 'c', 'd']);
    await broker.waitOver(ref('a'));
    expect(await broker.waitFor(ref('d'), ['a'], inQ('a'))).toBeUndefined();
    redis.disconnect();
  });

  it("finds a cycle through tasks of other slots in the 'queue' layout", async () => {
    const redis = rawRedis();
    const router = new TaskRouter(new KeyBuilder(uniquePrefix(), 'queue'), {});
    const broker = new Broker(redis, router, {
      eventsMaxLen: 1000,
      deadLetterTtl: 60_000,
      commandTimeoutMs: 5_000,
      redisFunctions: redisFunctionsInTests(),
    });
    const ref = (id: string, queue: string) => ({
      id,
      attempt: 1,
      slot: router.slotFor(queue, id),
    });
    expect(ref('a', 'q1').slot.base).not.toBe(ref('b', 'q2').slot.base);
    expect(await broker.waitFor(ref('a', 'q1'), ['b'], ['q2'])).toBeUndefined();
    expect(await broker.waitFor(ref('b', 'q2'), ['c'], ['q3'])).toBeUndefined();
    // c (in q3) waiting for a (in q1) closes a → b → c → a, followed through the recorded slots.
    expect(await broker.waitFor(ref('c', 'q3'), ['a'], ['q1'])).toEqual(['c', 'a', 'b', 'c']);
    await broker.waitOver(ref('b', 'q2'));
    expect(await broker.waitFor(ref('c', 'q3'), ['a'], ['q1'])).toBeUndefined();
    redis.disconnect();
  });
});
