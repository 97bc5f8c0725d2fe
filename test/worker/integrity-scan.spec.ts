import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { firstValueFrom, filter } from 'rxjs';
import { Task, TaskStatus } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { KeyBuilder, TASK_FIELDS } from '../../lib/broker/keys';
import { TaskRouter } from '../../lib/broker/task-router';
import { newTask, testBroker } from '../support/broker';
import { rawRedis, redisFunctionsInTests, testRedisUrl, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

/** Every page of one full pass (the test server holds other tests' keys too). */
async function fullPass(broker: Broker, token = 'scanner'): Promise<string[]> {
  const failed: string[] = [];
  for (;;) {
    const page = await broker.scanIntegrity(token, 10_000, 1000);
    if (!page) throw new Error('another scanner holds the turn');
    failed.push(...page.failed);
    if (page.cursor === '0') return failed.sort();
  }
}

/** A broker in the 'queue' layout whatever the test run's layout, with queue q on two shards. */
function shardedBroker(): { broker: Broker; redis: Redis; keys: KeyBuilder } {
  const redis = new Redis(testRedisUrl());
  const keys = new KeyBuilder(uniquePrefix(), 'queue');
  const broker = new Broker(redis, new TaskRouter(keys, { q: { shards: 2 } }), {
    eventsMaxLen: 10_000,
    deadLetterTtl: 86_400_000,
    commandTimeoutMs: 5_000,
    redisFunctions: redisFunctionsInTests(),
  });
  return { broker, redis, keys };
}

describe('the integrity scanner', () => {
  it('fails waiting tasks that are in no queue and running tasks without a lease', async () => {
    const { broker, redis, keys } = testBroker();
    const slot = keys.slot('q');
    await broker.enqueue(
      ['evicted', 'unleased', 'waiting', 'running', 'later'].map((id) => newTask(broker, id, 'q')),
      true,
    );
    await broker.enqueue([{ ...newTask(broker, 'delayed', 'q'), delay: 60_000 }], true);
    await broker.settle(slot, [], { queues: ['q'], count: 2, leaseMs: 60_000 }); // evicted, unleased
    await redis.zrem(slot.queue('q', 'leases'), 'unleased');
    // 'evicted' is running: give it back to the ready list by hand, then lose that list.
    await redis.zrem(slot.queue('q', 'leases'), 'evicted');
    await redis.hset(slot.task('evicted'), TASK_FIELDS.status, 'submitted');
    await broker.settle(slot, [], { queues: ['q'], count: 2, leaseMs: 60_000 }); // waiting, running
    await redis.set(slot.task('foreign'), 'not a task record');

    expect(await fullPass(broker)).toEqual(['evicted', 'unleased']);
    for (const id of ['evicted', 'unleased']) {
      const [status, error] = await redis.hmget(
        slot.task(id),
        TASK_FIELDS.status,
        TASK_FIELDS.error,
      );
      expect(status).toBe(TaskStatus.FAILED);
      expect(JSON.parse(error as string)).toMatchObject({ name: 'IntegrityError' });
      expect(await redis.zscore(slot.queue('q', 'dead'), id)).not.toBeNull();
    }
    expect(
      JSON.parse((await redis.hget(slot.task('unleased'), TASK_FIELDS.error)) as string).message,
    ).toMatch(/RUNNING without a lease/);
    // Healthy tasks and foreign data are left as they were.
    const statuses = await Promise.all(
      ['waiting', 'running', 'later', 'delayed'].map((id) =>
        redis.hget(slot.task(id), TASK_FIELDS.status),
      ),
    );
    expect(statuses).toEqual(['running', 'running', 'submitted', 'submitted']);
    expect(await redis.get(slot.task('foreign'))).toBe('not a task record');
    // A second pass finds nothing more.
    expect(await fullPass(broker)).toEqual([]);
    redis.disconnect();
  });

  it('registers again the priority of a ready list no claim would look at', async () => {
    const { broker, redis, keys } = testBroker();
    const slot = keys.slot('q');
    await broker.enqueue([{ ...newTask(broker, 'hidden', 'q'), priority: 3 }], true);
    await redis.zrem(slot.queue('q', 'priorities'), '3');
    expect(
      (await broker.settle(slot, [], { queues: ['q'], count: 1, leaseMs: 1000 })).tasks,
    ).toEqual([]);

    expect(await fullPass(broker)).toEqual([]);
    const claimed = await broker.settle(slot, [], { queues: ['q'], count: 1, leaseMs: 1000 });
    expect(claimed.tasks.map((task) => task.id)).toEqual(['hidden']);
    redis.disconnect();
  });

  it("in the 'queue' layout, checks the records of every shard of a sharded queue", async () => {
    const { broker, redis, keys } = shardedBroker();
    const [first, second] = broker.router.slotsOf('q');
    expect(first.base).not.toBe(second.base);
    // Generated ids, one pair on each shard: their tags say where they are.
    const ids = [0, 0, 1, 1].map((shard) => broker.router.newId('q', shard));
    await broker.enqueue(
      ids.map((id) => newTask(broker, id, 'q')),
      false,
    );
    // Shard 0: one task runs without a lease. Shard 1: one waits in no queue.
    const [claimed] = (await broker.settle(first, [], { queues: ['q'], count: 1, leaseMs: 60_000 }))
      .tasks;
    await redis.zrem(first.queue('q', 'leases'), claimed.id);
    const lost = ids[2];
    await redis.lrem(second.ready('q', 0), 0, lost);

    expect(await fullPass(broker)).toEqual([claimed.id, lost].sort());
    expect(await redis.hget(first.task(claimed.id), TASK_FIELDS.status)).toBe(TaskStatus.FAILED);
    expect(await redis.hget(second.task(lost), TASK_FIELDS.status)).toBe(TaskStatus.FAILED);
    expect(await redis.zscore(first.queue('q', 'dead'), claimed.id)).not.toBeNull();
    expect(await redis.zscore(second.queue('q', 'dead'), lost)).not.toBeNull();
    // The turn and the walk's position stay on the prefix's slot.
    expect(await redis.exists(keys.family('integrityLock'))).toBe(1);
    expect(await redis.get(keys.family('integrityCursor'))).toBe('0');
    redis.disconnect();
  });

  it('gives the turn to one scanner per interval', async () => {
    const { broker, redis } = testBroker();
    expect(await broker.scanIntegrity('first', 10_000, 10)).not.toBeNull();
    expect(await broker.scanIntegrity('second', 10_000, 10)).toBeNull();
    expect(await broker.scanIntegrity('first', 10_000, 10)).not.toBeNull();
    redis.disconnect();
  });
});

@Injectable()
class Work {
  @Task({ name: 'integrity.work', queue: 'integrity' })
  async work(): Promise<string> {
    return 'ran';
  }
}

describe('a worker running the integrity scan', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  it('reports what it failed, and requeueDead() runs such a task again', async () => {
    app = await createTestApp([Work], { worker: { enabled: false, integrityScanMs: 200 } });
    const handle = await app.queue.enqueue(Work, 'work', []);
    const redis = rawRedis();
    const slot = app.app.get(TaskRouter).slotFor('integrity', handle.id);
    await redis.del(slot.ready('integrity', 0)); // as if evicted

    const repaired = firstValueFrom(
      app.worker.events$.pipe(filter((event) => event.type === 'integrity.repaired')),
    );
    await app.worker.start();
    expect(await repaired).toEqual({ type: 'integrity.repaired', failed: [handle.id] });
    await expect(handle.result({ timeout: 1000 })).rejects.toThrow(/IntegrityError|no worker/);

    expect(await app.queue.requeueDead('integrity', [handle.id])).toEqual([handle.id]);
    await expect(app.queue.handle(handle.id).result({ timeout: 5000 })).resolves.toBe('ran');
    redis.disconnect();
  }, 30_000);
});
