import { Injectable } from '@nestjs/common';
import { Task, taskContext, WorkerEvent } from '../../lib';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { RestartableRedis } from '../support/restartable-redis';
import { createTestApp, TestApp } from '../support/test-app';

const started = new Ledger<string>();

@Injectable()
class Stubborn {
  /** Ignores its abort signal: shutdown has to hand it back. */
  @Task({ name: 'stubborn.work', queue: 'stubborn' })
  async work(): Promise<string> {
    started.add(`${taskContext().id}@${taskContext().attempt}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return 'done';
  }
}

/** Stopping a worker while Redis is down (killed), and what happens once it is back. */
describe('worker stop during a Redis outage', () => {
  let redis: RestartableRedis;
  const apps: TestApp[] = [];
  beforeAll(async () => (redis = await RestartableRedis.start()));
  afterEach(() => Promise.all(apps.splice(0).map((app) => app.close())));
  afterAll(() => redis.stop());

  it('resolves, reports what it could not hand back, and lets the worker start again', async () => {
    const worker = await createTestApp([Stubborn], {
      connection: redis.url,
      prefix: uniquePrefix(),
      worker: { shutdownTimeoutMs: 100, leaseMs: 1000, concurrency: 1 },
    });
    apps.push(worker);
    const events: WorkerEvent[] = [];
    worker.worker.events$.subscribe((event) => events.push(event));
    const handle = await worker.queue.enqueue('stubborn.work', [], { queue: 'stubborn' });
    await started.until(1);

    await redis.kill();
    // The run outlives shutdownTimeoutMs and its hand-back cannot be written: reported, and
    // stop() still resolves (it used to reject, which also failed every later stop and start).
    await worker.worker.stop();
    const types = events.map((event) => event.type);
    expect(types).toContain('worker.error');
    expect(types[types.length - 1]).toBe('worker.stopped');

    await redis.up();
    await worker.worker.start();
    expect(events[events.length - 1].type).toBe('worker.started');
    // Nothing lost: the lease ran out and the sweep gave the task another run.
    await expect(handle.result({ timeout: 15_000 })).resolves.toBe('done');
  }, 30_000);
});
