import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom } from 'rxjs';
import { Task, TaskCancelledError, TaskStatus, taskContext } from '../../lib';
import { recordFaultFigures } from '../support/fault-summary';
import { FreezableProxy } from '../support/freezable-proxy';
import { testRedisUrl } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class Echo {
  @Task({ name: 'stall.echo', queue: 'stall' })
  async echo(value: string): Promise<string> {
    return value;
  }

  /** Runs until cancelled. */
  @Task({ name: 'stall.wait', queue: 'stall' })
  async wait(): Promise<void> {
    const { signal } = taskContext();
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
  }
}

const fast = { commandTimeoutMs: 500, blockingTimeoutMs: 500 };

/**
 * Fault: the network drops without closing the sockets (half-open TCP). Nothing tells ioredis
 * the connection is dead; the blocking-read watchdog and the claim watchdog must notice.
 */
describe('connections that silently stop answering', () => {
  let proxy: FreezableProxy;
  const apps: TestApp[] = [];
  beforeEach(
    async () => (proxy = await FreezableProxy.start(Number(new URL(testRedisUrl()).port))),
  );
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await proxy.close();
  });

  it('an idle worker behind a frozen connection reconnects by itself and runs new work', async () => {
    const worker = await createTestApp([Echo], { ...fast, connection: proxy.url });
    const producer = await createTestApp([], {
      ...fast,
      prefix: worker.prefix,
      worker: { enabled: false },
    });
    apps.push(worker, producer);
    const warmup = await producer.queue.enqueue('stall.echo', ['before'], { queue: 'stall' });
    await expect(warmup.result({ timeout: 5_000 })).resolves.toBe('before');

    expect(proxy.freeze()).toBeGreaterThanOrEqual(2); // command + blocking connections
    const frozenAt = Date.now();
    const handle = await producer.queue.enqueue('stall.echo', ['after'], { queue: 'stall' });
    await expect(handle.result({ timeout: 20_000 })).resolves.toBe('after');
    recordFaultFigures({
      scenario: 'Worker connections frozen (half-open TCP)',
      tasks: 1,
      lost: 0,
      duplicated:
        (await handle.history()).filter((entry) => entry.status === 'succeeded').length - 1,
      recoveryMs: Date.now() - frozenAt,
    });
  }, 30_000);

  it('a result() waiter behind a frozen connection still gets the result', async () => {
    const worker = await createTestApp([Echo], fast);
    const observer = await createTestApp([], {
      ...fast,
      prefix: worker.prefix,
      connection: proxy.url,
      worker: { enabled: false },
    });
    apps.push(worker, observer);
    await worker.worker.stop();
    const handle = await worker.queue.enqueue('stall.echo', ['seen'], { queue: 'stall' });
    const result = observer.queue.handle(handle.id).result({ timeout: 20_000 });
    // Let the observer's blocking read start, then cut it off silently and run the task.
    await new Promise((resolve) => setTimeout(resolve, 200));
    proxy.freeze();
    await worker.worker.start();
    await expect(result).resolves.toBe('seen');
  }, 30_000);

  it('a running task behind frozen connections still hears cancel()', async () => {
    const worker = await createTestApp([Echo], {
      ...fast,
      connection: proxy.url,
      worker: { leaseMs: 1500 },
    });
    const producer = await createTestApp([], {
      ...fast,
      prefix: worker.prefix,
      worker: { enabled: false },
    });
    apps.push(worker, producer);
    const handle = await producer.queue.enqueue('stall.wait', [], { queue: 'stall' });
    await firstValueFrom(handle.status$.pipe(filter((u) => u.status === TaskStatus.RUNNING)));
    proxy.freeze(); // the cancel channel's message will go nowhere
    expect(await handle.cancel()).toBe(true);
    await expect(handle.result({ timeout: 20_000 })).rejects.toBeInstanceOf(TaskCancelledError);
  }, 30_000);

  it('a producer gets a ConnectionError after commandTimeoutMs instead of waiting', async () => {
    const producer = await createTestApp([], {
      ...fast,
      connection: proxy.url,
      worker: { enabled: false },
    });
    apps.push(producer);
    await producer.queue.enqueue('stall.echo', ['warm'], { queue: 'stall' });
    proxy.freeze();
    await expect(producer.queue.enqueue('stall.echo', ['x'], { queue: 'stall' })).rejects.toThrow(
      /did not answer within 500 ms \(commandTimeoutMs\)/,
    );
  });
});
