import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DebounceOptions, EnqueueOptions, Task, TaskHandle, TaskStatus } from '../../lib';
import { queueTag, TASK_FIELDS } from '../../lib/broker/keys';
import { rawRedis, uniquePrefix } from '../support/redis';
import { taskKey } from '../support/task-keys';
import { appsClosedAfterEach, TestApp } from '../support/test-app';

const QUEUE = 'debounced';

/** The arguments of each run, by burst key (the first argument), in the order they started. */
const runs: [string, number][] = [];

@Injectable()
class DebouncedTasks {
  @Task({ name: 'debounce.echo', queue: QUEUE })
  echo(key: string, n: number): string {
    runs.push([key, n]);
    return `${key}:${n}`;
  }
}

/** The runs of burst key `key`, as the handler saw their arguments. */
const runsOf = (key: string) => runs.filter(([k]) => k === key);

/** The Redis server's clock (epoch ms), as the scripts read it. */
async function serverNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Bursts wait for their delays, and the last test runs three apps.
jest.setTimeout(60_000);

describe('debounce: a burst of enqueues runs once', () => {
  const redis = rawRedis();
  const open = appsClosedAfterEach();
  afterAll(() => redis.disconnect());

  /** Enqueues `debounce.echo(key, n)` in a burst (`debounce.id` defaults to `key`). */
  function enqueue(
    app: TestApp,
    key: string,
    n: number,
    debounce: Omit<DebounceOptions, 'id'> & { id?: string },
  ): Promise<TaskHandle> {
    return app.queue.enqueue('debounce.echo', [key, n], { debounce: { id: key, ...debounce } });
  }

  describe('without a worker: the burst in Redis', () => {
    let producer: TestApp;
    beforeEach(async () => {
      producer = await open([DebouncedTasks], { worker: { enabled: false } });
    });

    it('merges the burst into one delayed task with the last arguments, due delayMs after the last enqueue', async () => {
      const delayMs = 60_000;
      const first = await enqueue(producer, 'a', 0, { delayMs });
      for (let n = 1; n <= 3; n++) {
        const before = await serverNow(redis);
        const handle = await enqueue(producer, 'a', n, { delayMs });
        const after = await serverNow(redis);
        expect(handle.id).toBe(first.id);
        const delayed = await producer.queue.list(QUEUE, 'delayed');
        expect(delayed.map((task) => task.id)).toEqual([first.id]);
        expect(delayed[0].dueAt).toBeGreaterThanOrEqual(before + delayMs);
        expect(delayed[0].dueAt).toBeLessThanOrEqual(after + delayMs);
        expect((await producer.queue.inspect(first.id))?.args).toEqual(['a', n]);
      }
      // Enqueues of one turn share a script call: each merges into the task before it.
      const together = await Promise.all(
        [4, 5, 6].map((n) => enqueue(producer, 'a', n, { delayMs })),
      );
      expect(together.map((handle) => handle.id)).toEqual([first.id, first.id, first.id]);
      expect((await producer.queue.inspect(first.id))?.args).toEqual(['a', 6]);
      expect(await producer.queue.stats(QUEUE)).toMatchObject({ delayed: 1, waiting: 0 });
      expect((await first.status()).status).toBe(TaskStatus.SUBMITTED);
    });

    it('caps the due time at maxDelayMs after the burst’s first enqueue', async () => {
      const debounce = { delayMs: 60_000, maxDelayMs: 60_050 };
      const first = await enqueue(producer, 'c', 0, debounce);
      const [{ enqueuedAt, dueAt }] = await producer.queue.list(QUEUE, 'delayed');
      expect(dueAt).toBe(enqueuedAt + debounce.delayMs);
      // From 50 ms after the first enqueue on, delayMs from now lies past the cap.
      while ((await serverNow(redis)) <= enqueuedAt + 50) await sleep(10);
      const later = await enqueue(producer, 'c', 1, debounce);
      expect(later.id).toBe(first.id);
      const [capped] = await producer.queue.list(QUEUE, 'delayed');
      expect(capped.dueAt).toBe(enqueuedAt + debounce.maxDelayMs);
      expect((await producer.queue.inspect(first.id))?.args).toEqual(['c', 1]);
    });

    it('keeps bursts apart by debounce id and by task name', async () => {
      const a = await enqueue(producer, 'k', 0, { delayMs: 60_000, id: 'one' });
      const b = await enqueue(producer, 'k', 1, { delayMs: 60_000, id: 'two' });
      const other = await producer.queue.enqueue('debounce.other', ['k', 2], {
        queue: QUEUE,
        debounce: { id: 'one', delayMs: 60_000 },
      });
      expect(new Set([a.id, b.id, other.id]).size).toBe(3);
      expect(await producer.queue.stats(QUEUE)).toMatchObject({ delayed: 3 });
    });

    it('starts a new burst once the pending task was cancelled', async () => {
      const first = await enqueue(producer, 'x', 0, { delayMs: 60_000 });
      expect(await first.cancel()).toBe(true);
      const next = await enqueue(producer, 'x', 1, { delayMs: 60_000 });
      expect(next.id).not.toBe(first.id);
      expect((await producer.queue.list(QUEUE, 'delayed')).map((task) => task.id)).toEqual([
        next.id,
      ]);
    });
  });

  describe('with a worker', () => {
    let app: TestApp;
    beforeEach(async () => {
      app = await open([DebouncedTasks]);
    });

    it("runs the handler once with the last enqueue's arguments; every handle resolves with that run's result", async () => {
      const handles: TaskHandle[] = [];
      for (let n = 0; n < 3; n++) handles.push(await enqueue(app, 'b', n, { delayMs: 1_000 }));
      handles.push(
        ...(await Promise.all([3, 4].map((n) => enqueue(app, 'b', n, { delayMs: 1_000 })))),
      );
      expect(new Set(handles.map((handle) => handle.id)).size).toBe(1);
      const results = await Promise.all(handles.map((handle) => handle.result()));
      expect(results).toEqual(Array(5).fill('b:4'));
      expect(runsOf('b')).toEqual([['b', 4]]);
      expect((await app.queue.stats(QUEUE)).recent).toMatchObject({ succeeded: 1 });
    });

    it('runs a burst that goes on longer than maxDelayMs at the cap, and the enqueues after it make a new task', async () => {
      const debounce = { delayMs: 1_000, maxDelayMs: 1_500 };
      // Enqueues far closer together than delayMs: without the cap the task would never run.
      const handles: TaskHandle[] = [];
      for (let n = 0; runsOf('cap').length === 0; n++) {
        handles.push(await enqueue(app, 'cap', n, debounce));
        await sleep(20);
      }
      const last = await enqueue(app, 'cap', handles.length, debounce);
      const firstId = handles[0].id;
      const merged = handles.findIndex((handle) => handle.id !== firstId);
      const burst = merged === -1 ? handles : handles.slice(0, merged);
      // The first burst's enqueues come first; every later one (once its task was due) is the next burst's.
      expect(
        new Set(handles.slice(burst.length).map((handle) => handle.id)).size,
      ).toBeLessThanOrEqual(1);
      expect(last.id).not.toBe(firstId);
      expect(await handles[0].result()).toBe(`cap:${burst.length - 1}`);
      expect(runsOf('cap')[0]).toEqual(['cap', burst.length - 1]);

      // The cap set its due time (delayMs after the burst's last merge lay beyond it), and it
      // did not start before.
      const task = (await app.queue.inspect(firstId))!;
      const dueAt = Number(await redis.hget(taskKey(app, QUEUE, firstId), TASK_FIELDS.dueAt));
      expect(dueAt).toBe(task.enqueuedAt + debounce.maxDelayMs);
      const started = task.history.find((entry) => entry.status === TaskStatus.RUNNING)!.at;
      expect(started).toBeGreaterThanOrEqual(dueAt);

      expect(await last.result()).toBe(`cap:${handles.length}`);
    });

    it('makes a new task for a burst that starts after the last one’s task started', async () => {
      const first = await enqueue(app, 'again', 0, { delayMs: 20 });
      expect(await first.result()).toBe('again:0');
      const second = await enqueue(app, 'again', 1, { delayMs: 20 });
      expect(second.id).not.toBe(first.id);
      expect(await second.result()).toBe('again:1');
      expect(runsOf('again')).toEqual([
        ['again', 0],
        ['again', 1],
      ]);
    });
  });

  it('keeps each burst of a sharded queue on one shard, whichever app enqueues', async () => {
    const prefix = uniquePrefix();
    const options = { prefix, keyLayout: 'queue' as const, queues: { [QUEUE]: { shards: 4 } } };
    const worker = await open([DebouncedTasks], options);
    const producer = await open([DebouncedTasks], { ...options, worker: { enabled: false } });
    const keys = ['s0', 's1', 's2', 's3', 's4', 's5'];
    const bursts = await Promise.all(
      keys.map(async (key) => {
        const handles = [await enqueue(producer, key, 0, { delayMs: 1_000 })];
        handles.push(await enqueue(worker, key, 1, { delayMs: 1_000 }));
        handles.push(
          ...(await Promise.all([2, 3].map((n) => enqueue(producer, key, n, { delayMs: 1_000 })))),
        );
        return handles;
      }),
    );
    const tags = Array.from({ length: 4 }, (_, shard) => queueTag(QUEUE, shard));
    for (const [i, handles] of bursts.entries()) {
      expect(new Set(handles.map((handle) => handle.id)).size).toBe(1);
      expect(tags).toContain(handles[0].id.slice(0, 4));
      expect(await Promise.all(handles.map((handle) => handle.result()))).toEqual(
        Array(4).fill(`${keys[i]}:3`),
      );
      expect(runsOf(keys[i])).toEqual([[keys[i], 3]]);
    }
    // The bursts spread over the shards (the shard follows from the task name and debounce id).
    expect(new Set(bursts.map((handles) => handles[0].id.slice(0, 4))).size).toBeGreaterThan(1);
  });

  it('debounces the same from a producer without the handler (the task catalog routes it)', async () => {
    const prefix = uniquePrefix();
    await open([DebouncedTasks], { prefix });
    const producer = await open([], { prefix, worker: { enabled: false } });
    const options: EnqueueOptions = { debounce: { id: 'remote', delayMs: 1_000 } };
    const first = await producer.queue.enqueue('debounce.echo', ['remote', 0], options);
    const rest = await Promise.all(
      [1, 2].map((n) => producer.queue.enqueue('debounce.echo', ['remote', n], options)),
    );
    expect(rest.map((handle) => handle.id)).toEqual([first.id, first.id]);
    expect((await first.status()).queue).toBe(QUEUE);
    expect(await Promise.all([first, ...rest].map((handle) => handle.result()))).toEqual(
      Array(3).fill('remote:2'),
    );
    expect(runsOf('remote')).toEqual([['remote', 2]]);
  });
});
