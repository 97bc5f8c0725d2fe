import { Injectable } from '@nestjs/common';
import {
  QueueBusyError,
  Task,
  TaskCancelledError,
  TaskStatus,
  UnknownQueueError,
  WorkerEvent,
} from '../../lib';
import { failureOf } from '../support/failures';
import { Gate, running } from '../support/gate';
import { rawRedis } from '../support/redis';
import { allKeysOf as keysOf, allTaskIdsOf as taskIdsOf, taskKeyOf } from '../support/queue-state';
import { Redis } from 'ioredis';
import { createTestApp, TestApp } from '../support/test-app';

const gate = new Gate();

@Injectable()
class Controlled {
  @Task({ name: 'controlled.work', queue: 'controlled', retries: 0 })
  async work(mode: 'ok' | 'fail' | 'hold', label = ''): Promise<string> {
    if (mode === 'fail') throw new Error('told to fail');
    if (mode === 'hold') await gate.wait();
    return `${mode}${label}`;
  }
}

const MINUTE = 60_000;

let redis: Redis;
beforeAll(() => (redis = rawRedis()));
afterAll(() => redis.disconnect());

describe('pause, resume, drain and obliterate', () => {
  let t: TestApp;
  const events: WorkerEvent[] = [];
  const enqueue = (mode: string, options = {}, label = '') =>
    t.queue.enqueue('controlled.work', [mode, label], { queue: 'controlled', ...options });

  beforeAll(async () => {
    t = await createTestApp([Controlled], {
      // One slot: a held task keeps everything else waiting. An idle worker claims on its own
      // only every 10 minutes, and sweeps leases as rarely: whatever runs, ran because of a
      // wake-up.
      worker: { concurrency: 1, leaseMs: 30 * MINUTE },
      blockingTimeoutMs: 10 * MINUTE,
    });
    t.worker.events$.subscribe((event) => events.push(event));
  });
  afterAll(async () => {
    gate.release();
    await t.close();
  });
  beforeEach(() => gate.reset());

  it('pause stops claiming while the running task finishes and enqueues still land; resume claims at once', async () => {
    const held = await enqueue('hold');
    await running(held);
    await expect(t.queue.pause('controlled')).resolves.toBe(true);
    await expect(t.queue.pause('controlled')).resolves.toBe(false);
    const later = [await enqueue('ok', {}, '-1'), await enqueue('ok', {}, '-2')];

    gate.release();
    // The finished run's outcome and the claim for its slot are one script call: by the time
    // the result is out, that claim has run, and found the queue paused.
    await expect(held.result()).resolves.toBe('hold');
    expect(await t.queue.stats('controlled')).toMatchObject({
      waiting: 2,
      running: 0,
      paused: true,
    });
    expect((await t.queue.list('controlled', 'waiting')).map((s) => s.id)).toEqual(
      later.map((h) => h.id),
    );
    expect((await later[0].status()).status).toBe(TaskStatus.SUBMITTED);

    await expect(t.queue.resume('controlled')).resolves.toBe(true);
    await expect(t.queue.resume('controlled')).resolves.toBe(false);
    // No timeout: only resume's wake-up can make the idle worker claim before the test ends.
    await expect(Promise.all(later.map((h) => h.result()))).resolves.toEqual(['ok-1', 'ok-2']);
    expect(await t.queue.stats('controlled')).toMatchObject({ waiting: 0, paused: false });
  });

  it('drain cancels waiting and delayed tasks, observers included, and leaves the running one alone', async () => {
    const held = await enqueue('hold');
    await running(held);
    const waiting = [await enqueue('ok'), await enqueue('ok', { priority: -5 })];
    const delayed = await enqueue('ok', { delay: MINUTE });
    const observed = expect(waiting[0].result()).rejects.toBeInstanceOf(TaskCancelledError);

    await expect(t.queue.drain('controlled')).resolves.toBe(3);

    await observed;
    for (const handle of [...waiting, delayed]) {
      expect((await handle.status()).status).toBe(TaskStatus.CANCELLED);
    }
    // Cancelled records expire like finished ones (resultTtl).
    expect(await redis.pttl(taskKeyOf(t, 'controlled', delayed.id))).toBeGreaterThan(0);
    expect(await t.queue.stats('controlled')).toMatchObject({
      waiting: 0,
      delayed: 0,
      running: 1,
    });
    await expect(t.queue.drain('controlled')).resolves.toBe(0);
    gate.release();
    await expect(held.result()).resolves.toBe('hold');
  });

  it('obliterate refuses while a task runs, then with force deletes every task and key of the queue', async () => {
    const succeeded = await enqueue('ok');
    await succeeded.result();
    const failed = await enqueue('fail');
    await failureOf(failed);
    const held = await enqueue('hold');
    await running(held);
    const waiting = await enqueue('ok');
    const delayed = await enqueue('ok', { delay: MINUTE });
    await t.queue.enqueue('other.work', [], { queue: 'bystander', id: 'bystander-1' });
    const snapshot = async () => {
      const keys = (await keysOf(redis, t.prefix)).sort();
      return { keys, dumps: await Promise.all(keys.map((key) => redis.dump(key))) };
    };
    const before = await snapshot();

    const refused = t.queue.obliterate('controlled');
    await expect(refused).rejects.toBeInstanceOf(QueueBusyError);
    await expect(refused).rejects.toMatchObject({ queue: 'controlled', running: 1 });
    expect(await snapshot()).toEqual(before);

    const ids = [succeeded, failed, held, waiting, delayed].map((h) => h.id);
    // Finished tasks of the earlier tests too.
    const records = await taskIdsOf(redis, t.prefix, 'controlled');
    expect(records).toEqual(expect.arrayContaining(ids));
    await expect(t.queue.obliterate('controlled', { force: true })).resolves.toBe(records.length);
    const left = await keysOf(redis, t.prefix);
    // Only the marks that this app's worker, still running, consumes the queue are left.
    expect(left.filter((key) => key.includes(':controlled')).sort()).toEqual([
      `{${t.prefix}}:consumed:controlled`,
      `{${t.prefix}}:hosts:controlled`,
    ]);
    expect(await taskIdsOf(redis, t.prefix, 'controlled')).toEqual([]);
    expect(await redis.exists(taskKeyOf(t, 'bystander', 'bystander-1'))).toBe(1);
    expect((await t.queue.queues()).map((q) => q.queue)).toEqual(['bystander']);
    await expect(t.queue.stats('controlled')).rejects.toBeInstanceOf(UnknownQueueError);

    // The worker still running the deleted task carries on: its outcome finds no record.
    events.length = 0;
    gate.release();
    const again = await enqueue('ok', {}, '-again');
    await expect(again.result()).resolves.toBe('ok-again');
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'worker.error', error: expect.any(Error) }),
    );
    expect(await t.queue.stats('controlled')).toMatchObject({ waiting: 0, running: 0 });
  });
});

describe('drain and obliterate of long queues', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([], { worker: { enabled: false } })));
  afterAll(() => t.close());

  const fill = (queue: string, count: number) =>
    t.queue.enqueueMany(
      Array.from({ length: count }, (_, i) => ({
        task: 'long.work',
        options: { queue, priority: i % 3, ...(i % 2 ? { delay: MINUTE } : {}) },
      })),
    );

  it('drains thousands of tasks in batches, every one cancelled', async () => {
    await fill('long-drain', 2500);
    expect(await t.queue.stats('long-drain')).toMatchObject({ waiting: 1250, delayed: 1250 });
    await expect(t.queue.drain('long-drain')).resolves.toBe(2500);
    const stats = await t.queue.stats('long-drain');
    expect(stats).toMatchObject({ waiting: 0, delayed: 0 });
    expect(stats.recent.cancelled).toBe(2500);
  });

  it('obliterates thousands of tasks in batches, finished ones included', async () => {
    const handles = await fill('long-gone', 2500);
    await Promise.all(handles.slice(0, 500).map((h) => h.cancel()));
    expect(await taskIdsOf(redis, t.prefix, 'long-gone')).toHaveLength(2500);
    await expect(t.queue.obliterate('long-gone')).resolves.toBe(2500);
    expect(await taskIdsOf(redis, t.prefix, 'long-gone')).toEqual([]);
    expect((await keysOf(redis, t.prefix)).filter((key) => key.includes('long-gone'))).toEqual([]);
  });
});
