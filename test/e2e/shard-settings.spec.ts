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

/** A handler in the queue 'sharded' for another task than sharded.echo. */
@Injectable()
class OtherTasks {
  @Task({ name: 'sharded.other', queue: 'sharded' })
  other(): void {}
}

/** Polls `read` until `done` holds for its value (the spec's timeout bounds the wait). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starting `prefix`'s apps with `shards` for the queue 'sharded' fails, naming what it found. */
async function expectRefused(prefix: string, shards: number, found: string): Promise<void> {
  const refused = await app(prefix, shards).then(
    (started) => started.close(),
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(InvalidOptionsError);
  expect((refused as InvalidOptionsError).field).toBe('queues.sharded.shards');
  expect((refused as Error).message).toContain(`has tasks (${found}, in shard`);
  expect((refused as Error).message).toContain('keep shards: 3');
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

  it('refuses another count while the queue holds only held tasks (no worker has their handler)', async () => {
    const prefix = uniquePrefix();
    const producer = await app(prefix, 3);
    const worker = await createTestApp([OtherTasks], {
      prefix,
      keyLayout: 'queue',
      queues: { sharded: { shards: 3 } },
    });
    try {
      await Promise.all([1, 2, 3].map((n) => producer.queue.enqueue('sharded.echo', [n])));
      // The worker claims them and sets them aside: no ready list, sorted set or lease has them.
      await until(
        () => producer.queue.stats('sharded'),
        (stats) => stats.held === 3,
      );
    } finally {
      await worker.close();
      await producer.close();
    }
    await expectRefused(prefix, 2, 'held');
    expect(await redis.hget(`{${prefix}}:queue-shards`, 'sharded')).toBe('3');
  });

  it("refuses another count while the queue's only tasks wait in a group's lane", async () => {
    const prefix = uniquePrefix();
    const producer = await app(prefix, 3);
    await producer.queue.enqueue('sharded.echo', [1], { group: 'tenant-1' });
    await producer.close();
    await expectRefused(prefix, 1, 'waiting');
    expect(await redis.hget(`{${prefix}}:queue-shards`, 'sharded')).toBe('3');
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
