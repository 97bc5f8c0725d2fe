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
describe("a worker's cancel subscription: first claims wait for it, reconnects make up for it", () => {
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

  it('makes up for a cancel published while its subscription was down, once it is back', async () => {
    const prefix = uniquePrefix();
    const worker = await createTestApp([Waiter], {
      prefix,
      connection: proxy.url,
      // No lease renewal comes within the test: only the resubscription reads the flag.
      worker: { leaseMs: 600_000 },
    });
    apps.push(worker);
    const handle = await worker.queue.enqueue('signals.wait', [], { queue: 'signals-cancel' });
    await started.until(2);
    expect(started.entries[1]).toBe(handle.id);
    // The subscriber's connection drops; its SUBSCRIBE after the reconnect is held back, so
    // the cancel is published while no one listens.
    proxy.cutSubscribers();
    await proxy.holding;
    await handle.cancel();
    expect(aborted.entries).toHaveLength(1);
    proxy.release();
    await aborted.until(2);
    expect(aborted.entries[1]).toBe(handle.id);
    await expect(handle.result()).rejects.toBeInstanceOf(TaskCancelledError);
  }, 60_000);
});
