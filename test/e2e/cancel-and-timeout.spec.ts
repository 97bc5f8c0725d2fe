import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom } from 'rxjs';
import { Task, TaskCancelledError, TaskmillError, TaskStatus, taskContext } from '../../lib';
import { Ledger } from '../support/ledger';
import { collect } from '../support/observables';
import { uniquePrefix } from '../support/redis';
import { failureOf } from '../support/failures';
import { createTestApp, TestApp } from '../support/test-app';

const aborted = new Ledger<string>();
const ran = new Ledger<string>();
const lateReadings = new Ledger<string>();

/** Resolves when the signal aborts, with its reason. */
function untilAborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));
}

@Injectable()
class SlowTasks {
  @Task({ name: 'slow.timeout', timeout: 200, retries: 0 })
  async waitsForever(): Promise<string> {
    const reason = await untilAborted(taskContext().signal);
    aborted.add(`timeout:${(reason as Error).name}`);
    throw reason;
  }

  @Task({ name: 'slow.cancellable', retries: 3 })
  async untilCancelled(): Promise<string> {
    const { id, signal } = taskContext();
    ran.add(`started:${id}`);
    await untilAborted(signal);
    aborted.add(`cancel:${id}`);
    return 'finished anyway';
  }

  /** Reads its signal only after its timeout fired: the signal is made then, aborted. */
  @Task({ name: 'slow.late-reader', timeout: 100, retries: 0 })
  async readsSignalLate(): Promise<void> {
    const context = taskContext();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { signal } = context;
    lateReadings.add(`${signal.aborted}:${(signal.reason as Error).name}`);
  }

  @Task('slow.record')
  async record(label: string): Promise<string> {
    ran.add(label);
    return label;
  }
}

describe('cancellation and timeouts', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([SlowTasks])));
  afterAll(() => t.close());

  it('aborts the signal when a task exceeds its timeout and fails it with TaskTimeoutError', async () => {
    const handle = await t.queue.enqueue('slow.timeout', []);
    const error = await failureOf(handle, 5000);
    expect(error.remoteName).toBe('TaskTimeoutError');
    expect(error.remoteMessage).toContain('200 ms');
    await aborted.until(1);
    expect(aborted.entries).toContain('timeout:TaskTimeoutError');
  });

  it('gives a handler that reads its signal only after the timeout an aborted signal', async () => {
    const handle = await t.queue.enqueue('slow.late-reader', []);
    expect((await failureOf(handle, 5000)).remoteName).toBe('TaskTimeoutError');
    await lateReadings.until(1);
    expect(lateReadings.entries).toEqual(['true:TaskTimeoutError']);
  });

  it('cancels a waiting task before it runs: CANCELLED, never run, result rejects', async () => {
    const handle = await t.queue.enqueue('slow.record', ['never'], { delay: 10_000 });
    await expect(handle.cancel()).resolves.toBe(true);
    expect((await handle.status()).status).toBe(TaskStatus.CANCELLED);
    await expect(handle.result({ timeout: 1000 })).rejects.toBeInstanceOf(TaskCancelledError);
    expect(await collect(handle.status$)).toEqual([
      expect.objectContaining({ status: TaskStatus.CANCELLED }),
    ]);
    expect(ran.entries).not.toContain('never');
  });

  it("aborts a running task's signal on cancel() and records it CANCELLED", async () => {
    const handle = await t.queue.enqueue('slow.cancellable', []);
    await firstValueFrom(handle.status$.pipe(filter((u) => u.status === TaskStatus.RUNNING)));
    await expect(handle.cancel()).resolves.toBe(true);
    await expect(handle.result({ timeout: 5000 })).rejects.toBeInstanceOf(TaskCancelledError);
    expect(aborted.entries).toContain(`cancel:${handle.id}`);
    const history = await handle.history();
    expect(history.map((h) => h.status)).toEqual(['submitted', 'running', 'cancelled']);
  });

  it('does not let a task that reuses a cancelled id inherit its place in the queue', async () => {
    const prefix = uniquePrefix();
    const producer = await createTestApp([], { prefix, worker: { enabled: false } });
    const first = await producer.queue.enqueue('slow.record', ['cancelled'], {
      id: 'reused',
      resultTtl: 0,
    });
    await expect(first.cancel()).resolves.toBe(true);
    const second = await producer.queue.enqueue('slow.record', ['later'], {
      id: 'reused',
      delay: 400,
    });
    const worker = await createTestApp([SlowTasks], { prefix });
    await expect(second.result({ timeout: 5000 })).resolves.toBe('later');
    const [submitted, running] = await second.history();
    expect(running.at - submitted.at).toBeGreaterThanOrEqual(400);
    expect(ran.entries).not.toContain('cancelled');
    await Promise.all([producer.close(), worker.close()]);
  });

  it('returns false when cancelling a task that already finished', async () => {
    const handle = await t.queue.enqueue('slow.record', ['done']);
    await handle.result({ timeout: 5000 });
    await expect(handle.cancel()).resolves.toBe(false);
    expect((await handle.status()).status).toBe(TaskStatus.SUCCEEDED);
  });

  it('throws a TaskmillError when taskContext() is called outside a handler', () => {
    expect(() => taskContext()).toThrow(TaskmillError);
    expect(() => taskContext()).toThrow(/outside a running @Task handler/);
  });
});
