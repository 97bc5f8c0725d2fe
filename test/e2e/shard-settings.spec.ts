import { Injectable } from '@nestjs/common';
import { InvalidOptionsError, QueueModuleOptions, Task } from '../../lib';
import { TaskRouter } from '../../lib/broker/task-router';
import { queueTag } from '../../lib/broker/keys';
import { rawRedis, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class ShardedTasks {
  @Task({ name: 'sharded.echo', queue: 'sharded' })
  echo(n: number): number {
    return n;
  }
}

/** Apps of one prefix in the 'queue' layout; `shards` for the queue 'sharded' when given. */
function app(prefix: string, shards?: number, worker = false): Promise<TestApp> {
  const options: QueueModuleOptions = {
    prefix,
    keyLayout: 'queue',
    worker: { enabled: worker },
    ...(shards === undefined ? {} : { queues: { sharded: { shards } } }),
  };
  return createTestApp([ShardedTasks], options);
}

describe('shard counts stored in Redis', () => {
  const redis = rawRedis();
  afterAll(() => redis.disconnect());

  it('lets an app without the setting route to the shards its workers stored', async () => {
    const prefix = uniquePrefix();
    const configured = await app(prefix, 3);
    const producer = await app(prefix);
    try {
      expect(producer.app.get(TaskRouter).shards('sharded')).toBe(3);
      const handles = await Promise.all(
        Array.from({ length: 6 }, (_, i) => producer.queue.enqueue('sharded.echo', [i])),
      );
      const tags = new Set(handles.map((handle) => handle.id.slice(0, 4)));
      expect(tags).toEqual(new Set([0, 1, 2].map((shard) => queueTag('sharded', shard))));
      // A custom id lands on the same shard whichever app routes it.
      await producer.queue.enqueue('sharded.echo', [9], { id: 'order-9' });
      expect((await configured.queue.handle('order-9', { queue: 'sharded' }).status()).status).toBe(
        'submitted',
      );
    } finally {
      await producer.close();
      await configured.close();
    }
  });

  it('refuses another count while the queue holds tasks, and takes it once the queue is empty', async () => {
    const prefix = uniquePrefix();
    const first = await app(prefix, 3);
    const handles = await Promise.all(
      [1, 2, 3].map((n) => first.queue.enqueue('sharded.echo', [n])),
    );
    await first.close();
    const refused = await app(prefix, 2).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidOptionsError);
    expect((refused as InvalidOptionsError).message).toContain('queues.sharded.shards');
    expect((refused as InvalidOptionsError).message).toContain('keep shards: 3');
    expect(await redis.hget(`{${prefix}}:queue-shards`, 'sharded')).toBe('3');
    // The tasks run: the queue is empty, and the new count is taken.
    const worker = await app(prefix, 3, true);
    await Promise.all(
      handles.map((handle) => worker.queue.handle(handle.id).result({ timeout: 10_000 })),
    );
    await worker.close();
    const changed = await app(prefix, 2);
    expect(changed.app.get(TaskRouter).shards('sharded')).toBe(2);
    expect(await redis.hget(`{${prefix}}:queue-shards`, 'sharded')).toBe('2');
    await changed.close();
  });

  it("takes shards in the 'prefix' layout and keeps the queue whole in the prefix's slot", async () => {
    const prefix = uniquePrefix();
    const t = await createTestApp([ShardedTasks], {
      prefix,
      keyLayout: 'prefix',
      queues: { sharded: { shards: 2 } },
    });
    try {
      const router = t.app.get(TaskRouter);
      expect(router.shards('sharded')).toBe(1);
      expect(router.slotsOf('sharded').map((slot) => slot.base)).toEqual([`{${prefix}}`]);
      const handles = await Promise.all([1, 2, 3].map((n) => t.queue.enqueue('sharded.echo', [n])));
      await expect(
        Promise.all(handles.map((handle) => handle.result({ timeout: 10_000 }))),
      ).resolves.toEqual([1, 2, 3]);
      // Nothing to share with other apps: the one slot has no shards to route to.
      expect(await redis.hget(`{${prefix}}:queue-shards`, 'sharded')).toBeNull();
    } finally {
      await t.close();
    }
  });
});
