import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisOutOfMemoryError, Task, TaskHandle, taskContext } from '../../lib';
import { PrivateRedis, startPrivateRedis } from '../../lib/testing';
import { checkOutcomes, waitUntilTerminal } from '../support/fault-outcomes';
import { recordFaultFigures } from '../support/fault-summary';
import { redisFunctionsInTests, uniquePrefix } from '../support/redis';
import { Broker } from '../../lib/broker/broker';
import { RunLedger } from '../support/run-ledger';
import { createTestApp, TestApp } from '../support/test-app';

const QUEUED = 50;
const FILLER_BYTES = 64 * 1024;
const FILLER_KEYS = 64;
let ledger: RunLedger;

@Injectable()
class Work {
  @Task({ name: 'memory.work', queue: 'memory' })
  async work(i: number): Promise<number> {
    const { id, attempt } = taskContext();
    await ledger.append(id, attempt);
    return i;
  }
}

/**
 * Writes filler keys, then sets `maxmemory` below what the server uses: with noeviction it is
 * out of memory for certain (not just near the limit), until the filler is deleted.
 */
async function fillUp(admin: Redis): Promise<string[]> {
  const block = 'x'.repeat(FILLER_BYTES);
  const filler = Array.from({ length: FILLER_KEYS }, (_, i) => `filler:${i}`);
  await Promise.all(filler.map((key) => admin.set(key, block)));
  const info = await admin.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
  await admin.config('SET', 'maxmemory', String(used - (FILLER_KEYS * FILLER_BYTES) / 2));
  return filler;
}

function enqueueWork(producer: TestApp): Promise<TaskHandle[]> {
  return producer.queue.enqueueMany(
    Array.from({ length: QUEUED }, (_, i) => ({
      task: 'memory.work',
      args: [i],
      options: { queue: 'memory' },
    })),
  );
}

/** Waits until every queued task finished, and checks none was lost or run twice. */
async function expectEachRanOnce(producer: TestApp, queued: TaskHandle[]) {
  const ids = queued.map((handle) => handle.id);
  expect(await waitUntilTerminal(producer.queue, ids, 30_000)).toEqual([]);
  const check = await checkOutcomes(producer.queue, ids, ledger);
  expect(check.lost).toEqual([]);
  expect(check.duplicated).toEqual([]);
  return check;
}

/** Every task record of a prefix (tests only: production code never uses KEYS). */
function taskKeys(admin: Redis, prefix: string): Promise<string[]> {
  return admin.keys(`{${prefix}}:t:*`);
}

/** Fault scenario 7: Redis reaches maxmemory with the noeviction policy. */
describe('Redis at maxmemory with noeviction', () => {
  let redis: PrivateRedis;
  let admin: Redis;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    redis = await startPrivateRedis({ args: ['--maxmemory-policy', 'noeviction'] });
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    admin.disconnect();
    ledger?.close();
    await redis.stop();
  });

  it('refuses enqueues with a typed error and writes nothing, while queued work still drains', async () => {
    const prefix = uniquePrefix();
    ledger = new RunLedger(prefix);
    const options = { connection: redis.url, prefix, worker: { leaseMs: 2000 } };
    const producer = await createTestApp([], { ...options, worker: { enabled: false } });
    apps.push(producer);
    const queued = await enqueueWork(producer);

    const filler = await fillUp(admin);
    const recordsBefore = (await taskKeys(admin, prefix)).length;
    await expect(
      producer.queue.enqueue('memory.work', [-1], { queue: 'memory' }),
    ).rejects.toBeInstanceOf(RedisOutOfMemoryError);
    await expect(
      producer.queue.enqueueMany(
        Array.from({ length: 20 }, (_, i) => ({
          task: 'memory.work',
          args: [-i],
          options: { queue: 'memory' },
        })),
      ),
    ).rejects.toThrow(/out of memory/);
    expect((await taskKeys(admin, prefix)).length).toBe(recordsBefore);
    expect(await admin.llen(`{${prefix}}:q:memory:ready:0`)).toBe(QUEUED);

    // Workers still drain what is queued while memory is full: a script that has begun to
    // write may finish (Redis keeps scripts atomic), and the first write of a claim or an
    // outcome only removes something.
    const worker = await createTestApp([Work], options);
    apps.push(worker);
    const check = await expectEachRanOnce(producer, queued);
    expect(await Promise.all(queued.map((handle) => handle.result()))).toEqual(
      Array.from({ length: QUEUED }, (_, i) => i),
    );
    await expect(
      producer.queue.enqueue('memory.work', [-1], { queue: 'memory' }),
    ).rejects.toBeInstanceOf(RedisOutOfMemoryError);

    // Once memory frees, producers work again without a restart.
    const freedAt = Date.now();
    await admin.del(...filler);
    const after = await producer.queue.enqueue('memory.work', [QUEUED], { queue: 'memory' });
    await expect(after.result({ timeout: 10_000 })).resolves.toBe(QUEUED);
    const [final] = (await after.history()).slice(-1);
    recordFaultFigures({
      scenario: '7. Redis at maxmemory (noeviction)',
      tasks: QUEUED + 1,
      lost: check.lost.length,
      duplicated: check.duplicated.length,
      recoveryMs: Math.max(0, final.at - freedAt),
    });
  }, 60_000);

  it('drains queued work with a worker that loaded its scripts before memory ran out', async () => {
    await admin.config('SET', 'maxmemory', '0');
    const prefix = uniquePrefix();
    ledger.close();
    ledger = new RunLedger(prefix);
    const options = { connection: redis.url, prefix, worker: { enabled: false, leaseMs: 2000 } };
    const producer = await createTestApp([], options);
    apps.push(producer);
    const worker = await createTestApp([Work], options);
    apps.push(worker);
    // Its first call, while memory is free, loads the function library (Redis 7+): FCALL
    // refuses a function without flags before it starts when memory is full.
    await worker.queue.queues();
    expect(worker.app.get(Broker).scriptMode).toBe(
      redisFunctionsInTests() ? 'functions' : 'scripts',
    );
    const queued = await enqueueWork(producer);
    const filler = await fillUp(admin);
    try {
      await expect(
        producer.queue.enqueue('memory.work', [-1], { queue: 'memory' }),
      ).rejects.toBeInstanceOf(RedisOutOfMemoryError);
      worker.worker.start();
      await expectEachRanOnce(producer, queued);
    } finally {
      await admin.del(...filler);
      await admin.config('SET', 'maxmemory', '0');
    }
  }, 60_000);
});
