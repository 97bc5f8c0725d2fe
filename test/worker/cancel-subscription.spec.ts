import { Injectable } from '@nestjs/common';
import { Task, TaskCancelledError, taskContext, TaskStatus } from '../../lib';
import { Ledger } from '../support/ledger';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { SubscribeHoldingProxy } from '../support/subscribe-holding-proxy';
import { createTestApp, TestApp } from '../support/test-app';

const started = new Ledger<string>();
const aborted = new Ledger<string>();

@Injectable()
class Waiter {
  /** Runs until its abort signal fires: only a cancel can end it. */
  @Task({ name: 'signals.wait', queue: 'signals-cancel' })
  async wait(): Promise<string> {
    const { id, signal } = taskContext();
    started.add(id);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    aborted.add(id);
    return 'aborted';
  }
}

/**
 * A cancel is a pub/sub message: one published before Redis took the worker's SUBSCRIBE
 * reaches nobody, and the run would go on until a lease renewal read the cancel flag. So a
 * worker claims nothing until its cancel subscription is confirmed.
 */
describe("a worker's first claim waits for its cancel subscription", () => {
  let proxy: SubscribeHoldingProxy;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    proxy = await SubscribeHoldingProxy.start(Number(new URL(testRedisUrl()).port));
  });
  afterAll(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await proxy.close();
  });

  it('claims nothing while the subscription is unconfirmed; then a cancel reaches the run', async () => {
    const prefix = uniquePrefix();
    const producer = await createTestApp([], { prefix, worker: { enabled: false } });
    apps.push(producer);
    const handle = await producer.queue.enqueue('signals.wait', [], { queue: 'signals-cancel' });

    // The worker's connections go through the proxy, which holds its SUBSCRIBE. Its lease is
    // long: a renewal (which also reads the cancel flag) comes too late to end the run here.
    const worker = await createTestApp([Waiter], {
      prefix,
      connection: proxy.url,
      worker: { leaseMs: 600_000 },
    });
    apps.push(worker);
    expect(worker.worker.running).toBe(true);
    await proxy.holding;
    // The worker started and its task was waiting, but nothing claimed it.
    expect((await handle.status()).status).toBe(TaskStatus.SUBMITTED);

    proxy.release();
    await started.until(1);
    expect(started.entries).toEqual([handle.id]);
    await handle.cancel();
    // Heard over pub/sub: the run's abort signal fires and the task ends cancelled.
    await aborted.until(1);
    await expect(handle.result()).rejects.toBeInstanceOf(TaskCancelledError);
    expect((await handle.status()).status).toBe(TaskStatus.CANCELLED);
  }, 60_000);
});
