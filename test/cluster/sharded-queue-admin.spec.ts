import { Cluster } from 'ioredis';
import { TaskStatus, UnknownQueueError } from '../../lib';
import { TaskRouter } from '../../lib/broker/task-router';
import { clusterKeysOf, rawCluster, clusterConnection } from '../support/redis-cluster';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Queue control and inspection of a 3-shard queue on a Redis Cluster, where a script that
 * touched the prefix's registry from a queue shard's slot (or one shard's keys from another's)
 * would fail with CROSSSLOT.
 */
describe("queue control and inspection of a sharded queue on a Redis Cluster (keyLayout 'queue')", () => {
  let t: TestApp;
  let cluster: Cluster;
  beforeAll(async () => {
    t = await createTestApp([], {
      connection: clusterConnection(),
      keyLayout: 'queue',
      queues: { wide: { shards: 3 } },
      worker: { enabled: false },
    });
    cluster = rawCluster();
  });
  afterAll(async () => {
    await t.close();
    cluster.disconnect();
  });

  it('counts, lists, peeks, pauses, reprioritizes, drains and obliterates across the shards', async () => {
    const router = t.app.get(TaskRouter);
    const handles = [];
    for (const priority of [3, 1, 2, 0, 3, 1]) {
      handles.push(await t.queue.enqueue('wide.work', [], { queue: 'wide', priority }));
    }
    const slots = new Set(handles.map((h) => router.slotFor('wide', h.id).base));
    expect(slots.size).toBe(3);

    expect(await t.queue.stats('wide')).toMatchObject({ waiting: 6, delayed: 0, paused: false });
    expect((await t.queue.queues()).map((q) => q.queue)).toEqual(['wide']);
    const listed = await t.queue.list('wide', 'waiting', { offset: 1, limit: 4 });
    expect(listed.map((s) => s.priority)).toEqual([1, 1, 2, 3]);
    expect((await t.queue.peek('wide', 2)).map((task) => task.priority)).toEqual([0, 1]);
    await expect(t.queue.pause('wide')).resolves.toBe(true);
    expect(await t.queue.stats('wide')).toMatchObject({ paused: true });
    await expect(t.queue.resume('wide')).resolves.toBe(true);
    await expect(t.queue.reprioritize(handles[0].id, -1)).resolves.toBe(true);
    await expect(t.queue.promoteAll('wide', 1)).resolves.toBe(6);
    await expect(t.queue.removeByPriority('wide', { above: 0 })).resolves.toBe(2);
    expect(await t.queue.deadLetters('wide')).toEqual([]);
    await expect(t.queue.drain('wide')).resolves.toBe(4);
    expect((await handles[0].status()).status).toBe(TaskStatus.CANCELLED);
    await expect(t.queue.stats('missing')).rejects.toBeInstanceOf(UnknownQueueError);

    await expect(t.queue.obliterate('wide')).resolves.toBe(6);
    expect((await clusterKeysOf(cluster, t.prefix)).filter((key) => key.includes(':wide'))).toEqual(
      [],
    );
    await expect(t.queue.stats('wide')).rejects.toBeInstanceOf(UnknownQueueError);
  });
});
