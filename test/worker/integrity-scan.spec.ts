import { Injectable } from '@nestjs/common';
import { firstValueFrom, filter } from 'rxjs';
import { Task, TaskStatus } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { KeyBuilder, TASK_FIELDS } from '../../lib/broker/keys';
import { newTask, testBroker } from '../support/broker';
import { rawRedis } from '../support/redis';
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

describe('the integrity scanner', () => {
  it('fails waiting tasks that are in no queue and running tasks without a lease', async () => {
    const { broker, redis, keys } = testBroker();
    await broker.enqueue(
      ['evicted', 'unleased', 'waiting', 'running', 'later'].map((id) => newTask(broker, id, 'q')),
      true,
    );
    await broker.enqueue([{ ...newTask(broker, 'delayed', 'q'), delay: 60_000 }], true);
    await broker.settle(broker.keys.prefixSlot, [], { queues: ['q'], count: 2, leaseMs: 60_000 }); // evicted, unleased
    await redis.zrem(keys.slot('q').queue('q', 'leases'), 'unleased');
    // 'evicted' is running: give it back to the ready list by hand, then lose that list.
    await redis.zrem(keys.slot('q').queue('q', 'leases'), 'evicted');
    await redis.hset(keys.prefixSlot.task('evicted'), TASK_FIELDS.status, 'submitted');
    await broker.settle(broker.keys.prefixSlot, [], { queues: ['q'], count: 2, leaseMs: 60_000 }); // waiting, running
    await redis.set(keys.prefixSlot.task('foreign'), 'not a task record');

    expect(await fullPass(broker)).toEqual(['evicted', 'unleased']);
    for (const id of ['evicted', 'unleased']) {
      const [status, error] = await redis.hmget(
        keys.prefixSlot.task(id),
        TASK_FIELDS.status,
        TASK_FIELDS.error,
      );
      expect(status).toBe(TaskStatus.FAILED);
      expect(JSON.parse(error as string)).toMatchObject({ name: 'IntegrityError' });
      expect(await redis.zscore(keys.slot('q').queue('q', 'dead'), id)).not.toBeNull();
    }
    expect(
      JSON.parse((await redis.hget(keys.prefixSlot.task('unleased'), TASK_FIELDS.error)) as string)
        .message,
    ).toMatch(/RUNNING without a lease/);
    // Healthy tasks and foreign data are left as they were.
    const statuses = await Promise.all(
      ['waiting', 'running', 'later', 'delayed'].map((id) =>
        redis.hget(keys.prefixSlot.task(id), TASK_FIELDS.status),
      ),
    );
    expect(statuses).toEqual(['running', 'running', 'submitted', 'submitted']);
    expect(await redis.get(keys.prefixSlot.task('foreign'))).toBe('not a task record');
    // A second pass finds nothing more.
    expect(await fullPass(broker)).toEqual([]);
    redis.disconnect();
  });

  it('registers again the priority of a ready list no claim would look at', async () => {
    const { broker, redis, keys } = testBroker();
    await broker.enqueue([{ ...newTask(broker, 'hidden', 'q'), priority: 3 }], true);
    await redis.zrem(keys.slot('q').queue('q', 'priorities'), '3');
    expect(
      (await broker.settle(broker.keys.prefixSlot, [], { queues: ['q'], count: 1, leaseMs: 1000 }))
        .tasks,
    ).toEqual([]);

    expect(await fullPass(broker)).toEqual([]);
    const claimed = await broker.settle(broker.keys.prefixSlot, [], {
      queues: ['q'],
      count: 1,
      leaseMs: 1000,
    });
    expect(claimed.tasks.map((task) => task.id)).toEqual(['hidden']);
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
    const keys = new KeyBuilder(app.prefix);
    await redis.del(keys.slot('integrity').ready('integrity', 0)); // as if evicted

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
