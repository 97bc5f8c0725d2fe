import { Redis } from 'ioredis';
import {
  InvalidOptionsError,
  QueueBusyError,
  TaskHandle,
  TaskStatus,
  TooManyWaitingTasksError,
  UnknownQueueError,
} from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { TaskRouter } from '../../lib/broker/task-router';
import { allDataOf, allKeysOf, allTaskIdsOf } from '../support/queue-state';
import { rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const MINUTE = 60_000;
const SHARDED = ['counted', 'listed', 'stopped', 'drained', 'ranked', 'gone', 'missing'];

/**
 * Control and inspection of queues with 3 shards ('queue' layout, whatever the test run's
 * layout): each test first checks that its tasks sit in more than one shard, so that an
 * operation that looked at one shard only would see part of them.
 */
describe("a queue with 3 shards (keyLayout 'queue'): counts, list, pause, drain, obliterate", () => {
  let t: TestApp;
  let redis: Redis;
  let router: TaskRouter;
  let broker: Broker;
  beforeAll(async () => {
    t = await createTestApp([], {
      keyLayout: 'queue',
      queues: Object.fromEntries(SHARDED.map((queue) => [queue, { shards: 3 }])),
      worker: { enabled: false },
    });
    redis = rawRedis();
    router = t.app.get(TaskRouter);
    broker = t.app.get(Broker);
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  const shardOf = (queue: string, id: string) =>
    router.slotsOf(queue).findIndex((slot) => slot.base === router.slotFor(queue, id).base);

  /** One enqueue per task: generated ids take the shards in turn. */
  async function add(queue: string, options: { priority?: number; delay?: number }[]) {
    const handles: TaskHandle[] = [];
    for (const option of options) {
      handles.push(await t.queue.enqueue('wide.work', [], { queue, ...option }));
    }
    expect(new Set(handles.map((h) => shardOf(queue, h.id))).size).toBe(
      Math.min(3, handles.length),
    );
    return handles;
  }

  /** Claims what a worker's claim on one shard would take. */
  const claimOn = async (queue: string, shard: number) =>
    (
      await broker.settle(router.slotsOf(queue)[shard], [], {
        queues: [queue],
        count: 100,
        leaseMs: 10 * MINUTE,
      })
    ).tasks.map((task) => task.id);

  it('counts the tasks of every shard, in stats() and queues()', async () => {
    await add('counted', [{}, {}, {}, {}, {}, {}]);
    await add('counted', [{ delay: MINUTE }, { delay: MINUTE }, { delay: MINUTE }]);
    const counts = { waiting: 6, held: 0, delayed: 3, running: 0, deadLettered: 0, paused: false };
    expect(await t.queue.stats('counted')).toMatchObject({ queue: 'counted', ...counts });
    expect((await t.queue.stats('counted')).recent.since).toEqual(expect.any(Number));
    expect((await t.queue.queues()).find((q) => q.queue === 'counted')).toEqual({
      queue: 'counted',
      ...counts,
    });
  });

  it('lists waiting tasks merged by priority, then enqueue time, a page at a time', async () => {
    const priorities = [5, 0, 5, 0, 1, 0, 1, 5, 0, 2];
    const handles = await add(
      'listed',
      priorities.map((priority) => ({ priority })),
    );
    const all = await t.queue.list('listed', 'waiting');
    const enqueuedAt = new Map(all.map((s) => [s.id, s.enqueuedAt]));
    // Each shard's claim order (priority, then FIFO), merged: the lower priority first, then the
    // earlier enqueued, then the lower shard; a stable sort of the enqueue order by those keys.
    const key = (h: TaskHandle, i: number) =>
      [priorities[i], enqueuedAt.get(h.id) ?? NaN, shardOf('listed', h.id)] as const;
    const expected = handles
      .map((h, i) => ({ id: h.id, key: key(h, i) }))
      .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2])
      .map((entry) => entry.id);
    expect(all.map((s) => s.id)).toEqual(expected);
    expect(all.map((s) => s.priority)).toEqual([...priorities].sort((a, b) => a - b));

    const page = async (offset: number, limit: number) =>
      (await t.queue.list('listed', 'waiting', { offset, limit })).map((s) => s.id);
    for (const [offset, limit] of [
      [0, 4],
      [4, 4],
      [8, 4],
      [2, 3],
      [1, 8],
      [10, 5],
    ]) {
      expect(await page(offset, limit)).toEqual(expected.slice(offset, offset + limit));
    }
    expect((await t.queue.peek('listed', 4)).map((task) => task.id)).toEqual(expected.slice(0, 4));
  });

  it('lists delayed tasks earliest due first across shards', async () => {
    const [in30, in10, in20] = await add('listed', [
      { delay: 30 * MINUTE },
      { delay: 10 * MINUTE },
      { delay: 20 * MINUTE },
    ]);
    const ids = async (offset: number, limit: number) =>
      (await t.queue.list('listed', 'delayed', { offset, limit })).map((s) => s.id);
    expect(await ids(0, 10)).toEqual([in10.id, in20.id, in30.id]);
    expect(await ids(1, 1)).toEqual([in20.id]);
  });

  it('pause stops claims on every shard; resume lets each claim again', async () => {
    const handles = await add('stopped', [{}, {}, {}]);
    await expect(t.queue.pause('stopped')).resolves.toBe(true);
    await expect(t.queue.pause('stopped')).resolves.toBe(false);
    expect(await t.queue.stats('stopped')).toMatchObject({ waiting: 3, paused: true });
    for (const shard of [0, 1, 2]) expect(await claimOn('stopped', shard)).toEqual([]);

    await expect(t.queue.resume('stopped')).resolves.toBe(true);
    await expect(t.queue.resume('stopped')).resolves.toBe(false);
    const claimed = [
      await claimOn('stopped', 0),
      await claimOn('stopped', 1),
      await claimOn('stopped', 2),
    ];
    expect(claimed.map((ids) => ids.length)).toEqual([1, 1, 1]);
    expect(claimed.flat().sort()).toEqual(handles.map((h) => h.id).sort());
    expect(await t.queue.stats('stopped')).toMatchObject({ running: 3, paused: false });
  });

  it('drains the waiting and delayed tasks of every shard', async () => {
    const handles = await add('drained', [{}, {}, {}, {}, { delay: MINUTE }, { delay: MINUTE }]);
    await expect(t.queue.drain('drained')).resolves.toBe(6);
    for (const h of handles) expect((await h.status()).status).toBe(TaskStatus.CANCELLED);
    expect(await t.queue.stats('drained')).toMatchObject({ waiting: 0, delayed: 0 });
    await expect(t.queue.drain('drained')).resolves.toBe(0);
  });

  it('removes and promotes by priority on every shard, maxTasks counting the whole queue', async () => {
    await add(
      'ranked',
      [0, 4, 8, 0, 4, 8].map((priority) => ({ priority })),
    );
    const before = await allDataOf(redis, t.prefix);
    const refused = t.queue.promoteAll('ranked', 1, { maxTasks: 5 });
    await expect(refused).rejects.toBeInstanceOf(TooManyWaitingTasksError);
    await expect(refused).rejects.toMatchObject({ waiting: 6, limit: 5 });
    expect(await allDataOf(redis, t.prefix)).toEqual(before);

    await expect(t.queue.removeByPriority('ranked', { above: 5 })).resolves.toBe(2);
    await expect(t.queue.promoteAll('ranked', 3)).resolves.toBe(4);
    expect((await t.queue.peek('ranked', 10)).map((task) => task.priority)).toEqual([-3, -3, 1, 1]);
  });

  it('obliterate refuses while a task of any shard runs, deleting nothing, then with force deletes every shard', async () => {
    const handles = await add('gone', [{}, {}, {}, {}, { delay: MINUTE }, { delay: MINUTE }]);
    await t.queue.enqueue('other.work', [], { queue: 'bystander' });
    // The running task is on the last shard: a shard emptied before it was looked at would show.
    expect(await claimOn('gone', 2)).toHaveLength(1);
    const before = await allDataOf(redis, t.prefix);
    const refused = t.queue.obliterate('gone');
    await expect(refused).rejects.toBeInstanceOf(QueueBusyError);
    await expect(refused).rejects.toMatchObject({ queue: 'gone', running: 1 });
    expect(await allDataOf(redis, t.prefix)).toEqual(before);

    const records = await allTaskIdsOf(redis, t.prefix, 'gone');
    expect(records).toEqual(handles.map((h) => h.id).sort());
    await expect(t.queue.obliterate('gone', { force: true })).resolves.toBe(records.length);
    expect(await allTaskIdsOf(redis, t.prefix, 'gone')).toEqual([]);
    expect((await allKeysOf(redis, t.prefix)).filter((key) => key.includes(':gone:'))).toEqual([]);
    expect((await t.queue.queues()).map((q) => q.queue)).not.toContain('gone');
    expect((await t.queue.queues()).map((q) => q.queue)).toContain('bystander');
    await expect(t.queue.stats('gone')).rejects.toBeInstanceOf(UnknownQueueError);

    // Enqueued again, it is known again (this process registers it anew).
    await t.queue.enqueue('wide.work', [], { queue: 'gone' });
    expect(await t.queue.stats('gone')).toMatchObject({ waiting: 1, paused: false });
  });

  it.each<[string, () => Promise<unknown>]>([
    ['stats()', () => t.queue.stats('missing')],
    ['list()', () => t.queue.list('missing', 'dead')],
    ['pause()', () => t.queue.pause('missing')],
    ['resume()', () => t.queue.resume('missing')],
    ['drain()', () => t.queue.drain('missing')],
    ['obliterate()', () => t.queue.obliterate('missing', { force: true })],
    ['peek()', () => t.queue.peek('missing')],
    ['promoteAll()', () => t.queue.promoteAll('missing', 1)],
    ['removeByPriority()', () => t.queue.removeByPriority('missing', { below: 0 })],
  ])(
    'rejects %s of an unknown sharded queue with UnknownQueueError, writing nothing',
    async (_what, call) => {
      const before = await allDataOf(redis, t.prefix);
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownQueueError);
      expect(error).toMatchObject({
        queue: 'missing',
        message: expect.stringContaining('"missing"'),
      });
      expect(await allDataOf(redis, t.prefix)).toEqual(before);
      expect((await t.queue.queues()).map((q) => q.queue)).not.toContain('missing');
    },
  );

  it('rejects a bad queue name with InvalidOptionsError before asking Redis', async () => {
    const before = await allDataOf(redis, t.prefix);
    await expect(t.queue.stats('a:b')).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(t.queue.list('listed', 'waiting', { offset: -1 })).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
    expect(await allDataOf(redis, t.prefix)).toEqual(before);
  });
});
