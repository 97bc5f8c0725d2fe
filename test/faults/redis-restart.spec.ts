import { Injectable } from '@nestjs/common';
import { Task, TaskStatus } from '../../lib';
import { RestartableRedis } from '../support/restartable-redis';
import { createTestApp, TestApp } from '../support/test-app';

const ran = new Set<string>();

@Injectable()
class Durable {
  @Task({ name: 'durable.work', queue: 'durable' })
  async work(i: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    ran.add(String(i));
    return i;
  }
}

/** Fault: redis-server killed (SIGKILL) mid-run and started again from its AOF. */
describe('Redis restarted mid-run', () => {
  let redis: RestartableRedis;
  const apps: TestApp[] = [];
  beforeAll(async () => (redis = await RestartableRedis.start()));
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await redis.stop();
  });

  it('loses no acknowledged task, and workers and producers resume by themselves', async () => {
    const options = { connection: redis.url, worker: { leaseMs: 1000, concurrency: 5 } };
    const worker = await createTestApp([Durable], options);
    const producer = await createTestApp([], {
      ...options,
      prefix: worker.prefix,
      worker: { enabled: false },
    });
    apps.push(worker, producer);
    const count = 150;
    const handles = await producer.queue.enqueueMany(
      Array.from({ length: count }, (_, i) => ({
        task: 'durable.work',
        args: [i],
        options: { queue: 'durable' },
      })),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.up();

    // Producers work again without a restart.
    const after = await producer.queue.enqueue('durable.work', [count], { queue: 'durable' });
    handles.push(after);

    // Every acknowledged task reaches SUCCEEDED (some may have run twice: at-least-once).
    const deadline = Date.now() + 30_000;
    let pending = handles;
    while (pending.length > 0 && Date.now() < deadline) {
      const statuses = await Promise.all(pending.map((h) => h.status()));
      pending = pending.filter((_, i) => statuses[i].status !== TaskStatus.SUCCEEDED);
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(pending.map((h) => h.id)).toEqual([]);
    expect(ran.size).toBe(count + 1);
  }, 60_000);

  it('resumes by itself after Redis was unreachable for seconds', async () => {
    const downMs = Number(process.env.TASKMILL_FAULT_DOWN_MS ?? 3000);
    const options = { connection: redis.url, worker: { leaseMs: 1000, concurrency: 5 } };
    const worker = await createTestApp([Durable], options);
    apps.push(worker);
    const before = await worker.queue.enqueue('durable.work', [1000], { queue: 'durable' });
    await expect(before.result({ timeout: 5000 })).resolves.toBe(1000);
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await redis.up();
    // The idle worker's blocking read and the producer both come back without a restart.
    const after = await worker.queue.enqueue('durable.work', [1001], { queue: 'durable' });
    await expect(after.result({ timeout: 30_000 })).resolves.toBe(1001);
  }, 60_000);
});
