import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  InvalidOptionsError,
  MessageAlreadyExistsError,
  QueueModuleOptions,
  QueueRequiredError,
  Task,
  TaskmillError,
  TaskStatus,
} from '../../lib';
import { queueTag, TASK_FIELDS } from '../../lib/broker/keys';
import { TaskRouter } from '../../lib/broker/task-router';
import { collect } from '../support/observables';
import { rawRedis, taskIdsOf, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class Echo {
  @Task({ name: 'echo.default' })
  async echo(value: string): Promise<string> {
    return value;
  }

  @Task({ name: 'echo.mail', queue: 'mail' })
  async mail(value: string): Promise<string> {
    return `mail ${value}`;
  }

  @Task({ name: 'echo.other', queue: 'other' })
  async other(value: string): Promise<string> {
    return `other ${value}`;
  }

  @Task({ name: 'echo.sharded', queue: 's' })
  async sharded(value: string): Promise<string> {
    return `s ${value}`;
  }
}

const SHARDS = 4;
/** The 'queue' layout, stated here whatever TASKMILL_TEST_KEY_LAYOUT says. */
const QUEUE_LAYOUT: QueueModuleOptions = { keyLayout: 'queue', queues: { s: { shards: SHARDS } } };

/** The tags of the sharded queue's slots, shard 0 first. */
const shardTags = () => Array.from({ length: SHARDS }, (_, shard) => queueTag('s', shard));

/** The key of a task's record in the 'queue' layout, written out: `{prefix:tag}:t:<id>`. */
const recordKey = (prefix: string, tag: string, id: string) => `{${prefix}:${tag}}:t:${id}`;

describe("the 'queue' key layout", () => {
  const apps: TestApp[] = [];
  let redis: Redis;
  beforeAll(() => (redis = rawRedis()));
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(() => redis.disconnect());

  /**
   * Two apps on one prefix, as two processes: a worker (or, with `worker: false`, a second
   * producer) and a producer.
   */
  async function start({ worker: working = true } = {}): Promise<{
    worker: TestApp;
    producer: TestApp;
  }> {
    const prefix = uniquePrefix();
    const worker = await createTestApp(working ? [Echo] : [], {
      ...QUEUE_LAYOUT,
      prefix,
      worker: { enabled: working },
    });
    apps.push(worker);
    const producer = await createTestApp([], {
      ...QUEUE_LAYOUT,
      prefix,
      worker: { enabled: false },
    });
    apps.push(producer);
    return { worker, producer };
  }

  it('gives a generated id its slot tag, so that handle(id) alone finds the task', async () => {
    const { worker, producer } = await start();
    // The producer has no handlers: it enqueues to the default queue ('default').
    const handle = await producer.queue.enqueue('echo.default', ['tagged']);
    const tag = queueTag('default', 0);
    expect(handle.id.slice(0, 4)).toBe(tag);
    expect(await redis.hget(recordKey(producer.prefix, tag, handle.id), TASK_FIELDS.name)).toBe(
      'echo.default',
    );
    // Nothing in the prefix's own slot: the task lives in its queue's slot only.
    expect(await redis.exists(`{${producer.prefix}}:t:${handle.id}`)).toBe(0);
    const found = worker.queue.handle(handle.id);
    await expect(found.result({ timeout: 5000 })).resolves.toBe('tagged');
    expect((await found.status()).status).toBe(TaskStatus.SUCCEEDED);
  });

  it('finds a task with a custom id only with its queue, and says so with QueueRequiredError', async () => {
    const { worker, producer } = await start();
    await producer.queue.enqueue('echo.mail', ['custom'], { id: 'order-1', queue: 'mail' });
    let error: unknown;
    try {
      worker.queue.handle('order-1');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(QueueRequiredError);
    expect(error).toBeInstanceOf(TaskmillError);
    expect((error as QueueRequiredError).id).toBe('order-1');
    expect((error as Error).message).toContain('"order-1"');
    expect((error as Error).message).toContain('Pass its queue');
    expect((error as Error).message).toContain('queue.handle(id, { queue:');
    const found = worker.queue.handle('order-1', { queue: 'mail' });
    await expect(found.result({ timeout: 5000 })).resolves.toBe('mail custom');
  });

  it('keeps custom ids apart per queue: the same id in two queues is two tasks', async () => {
    const { worker, producer } = await start();
    const inMail = await producer.queue.enqueue('echo.mail', ['one'], {
      id: 'shared-id',
      queue: 'mail',
    });
    const inOther = await producer.queue.enqueue('echo.other', ['two'], {
      id: 'shared-id',
      queue: 'other',
    });
    await expect(inMail.result({ timeout: 5000 })).resolves.toBe('mail one');
    await expect(inOther.result({ timeout: 5000 })).resolves.toBe('other two');
    await expect(
      worker.queue.handle('shared-id', { queue: 'other' }).result({ timeout: 5000 }),
    ).resolves.toBe('other two');
    // Within one queue the id stays unique.
    await expect(
      producer.queue.enqueue('echo.mail', ['again'], { id: 'shared-id', queue: 'mail' }),
    ).rejects.toBeInstanceOf(MessageAlreadyExistsError);
  });

  it('shares custom ids between two queues whose slot tags happen to be equal', async () => {
    // Found by trying names: both digests begin with the same 4 characters.
    const [first, second] = ['q2837', 'q3466'];
    expect(queueTag(first, 0)).toBe(queueTag(second, 0));
    const { producer } = await start({ worker: false });
    await producer.queue.enqueue('echo.any', [], { id: 'same-slot', queue: first });
    const error = await producer.queue
      .enqueue('echo.any', [], { id: 'same-slot', queue: second })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageAlreadyExistsError);
    expect((error as MessageAlreadyExistsError).message).toContain(`{ queue: '${second}' }`);
  });

  describe(`a queue with ${SHARDS} shards`, () => {
    it('spreads generated ids over every shard, each task written in its shard', async () => {
      const { producer } = await start();
      const handles = await Promise.all(
        Array.from({ length: 2 * SHARDS }, (_, i) =>
          producer.queue.enqueue('echo.sharded', [`${i}`], { queue: 's' }),
        ),
      );
      const tags = handles.map((handle) => handle.id.slice(0, 4));
      expect(new Set(tags)).toEqual(new Set(shardTags()));
      for (const [i, handle] of handles.entries()) {
        const key = recordKey(producer.prefix, tags[i], handle.id);
        expect(await redis.hget(key, TASK_FIELDS.args)).toBe(`["${i}"]`);
      }
    });

    it('puts a custom id on the same shard from every process: enqueued twice, one task', async () => {
      const { worker, producer } = await start();
      const ids = Array.from({ length: 2 * SHARDS }, (_, i) => `custom-${i}`);
      for (const id of ids) {
        await producer.queue.enqueue('echo.sharded', [id], { id, queue: 's' });
      }
      // The worker app is another router, its round robin elsewhere: the id alone decides.
      for (const id of ids) {
        await expect(
          worker.queue.enqueue('echo.sharded', [id], { id, queue: 's' }),
        ).rejects.toBeInstanceOf(MessageAlreadyExistsError);
      }
      expect((await taskIdsOf(redis, producer.prefix, 's')).sort()).toEqual([...ids].sort());
      // Between them the ids use more than one shard (8 ids over 4 shards, fixed digests).
      const router = producer.app.get(TaskRouter);
      expect(new Set(ids.map((id) => router.slotFor('s', id).tag)).size).toBeGreaterThan(1);
      for (const id of ids) {
        await expect(
          worker.queue.handle(id, { queue: 's' }).result({ timeout: 5000 }),
        ).resolves.toBe(`s ${id}`);
      }
    });

    it('puts a unique task on the same shard every time: enqueued twice, one task', async () => {
      // No worker: each first task still waits when the second enqueue comes.
      const { worker: other, producer } = await start({ worker: false });
      const args = Array.from({ length: 2 * SHARDS }, (_, i) => `user-${i}`);
      const first = [];
      for (const arg of args) {
        first.push(
          await producer.queue.enqueue('echo.sharded', [arg], { unique: true, queue: 's' }),
        );
      }
      for (const [i, arg] of args.entries()) {
        const again = await other.queue.enqueue('echo.sharded', [arg], {
          unique: true,
          queue: 's',
          onDuplicate: 'return-existing',
        });
        expect(again.id).toBe(first[i].id);
      }
      expect(await taskIdsOf(redis, producer.prefix, 's')).toHaveLength(args.length);
      for (const handle of first) {
        expect((await other.queue.handle(handle.id, { queue: 's' }).status()).status).toBe(
          TaskStatus.SUBMITTED,
        );
      }
    });

    it('has workers claim from every shard, and follows each task by status$ and result()', async () => {
      const { worker, producer } = await start();
      const generated = 3 * SHARDS;
      const handles = await Promise.all([
        ...Array.from({ length: generated }, (_, i) =>
          producer.queue.enqueue('echo.sharded', [`g${i}`], { queue: 's' }),
        ),
        ...Array.from({ length: SHARDS }, (_, i) =>
          producer.queue.enqueue('echo.sharded', [`c${i}`], { id: `c${i}`, queue: 's' }),
        ),
      ]);
      const router = producer.app.get(TaskRouter);
      const used = new Set(handles.map((handle) => router.slotFor('s', handle.id).tag));
      expect(used).toEqual(new Set(shardTags()));
      // Followed from the worker app, which learns each task's place from its id (and queue).
      const followed = handles.map((handle, i) =>
        i < generated
          ? worker.queue.handle(handle.id)
          : worker.queue.handle(handle.id, { queue: 's' }),
      );
      const statuses = await Promise.all(followed.map((handle) => collect(handle.status$)));
      for (const updates of statuses) {
        expect(updates[updates.length - 1].status).toBe(TaskStatus.SUCCEEDED);
      }
      const results = await Promise.all(followed.map((handle) => handle.result({ timeout: 5000 })));
      expect(results).toEqual(
        handles.map((_, i) => (i < generated ? `s g${i}` : `s c${i - generated}`)),
      );
    });
  });

  describe('bad settings', () => {
    it.each<[string, unknown, string]>([
      ['0 shards', { s: { shards: 0 } }, 'queues.s.shards'],
      ['-1 shards', { s: { shards: -1 } }, 'queues.s.shards'],
      ['1.5 shards', { s: { shards: 1.5 } }, 'queues.s.shards'],
      ["'3' shards", { s: { shards: '3' } }, 'queues.s.shards'],
      ['1000 shards', { s: { shards: 1000 } }, 'queues.s.shards'],
      ['an unknown setting', { s: { shard: 2 } }, 'queues.s.shard'],
    ])('refuses %s with InvalidOptionsError naming the field', async (_, queues, field) => {
      const error = await createTestApp([Echo], {
        keyLayout: 'queue',
        queues: queues as QueueModuleOptions['queues'],
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).field).toBe(field);
      expect((error as Error).message).toContain(field);
    });

    it("refuses keyLayout 'cluster' with InvalidOptionsError naming the field", async () => {
      const error = await createTestApp([Echo], {
        keyLayout: 'cluster' as QueueModuleOptions['keyLayout'],
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).field).toBe('keyLayout');
      expect((error as Error).message).toContain("'queue' or 'prefix'");
    });
  });
});
