import { Injectable } from '@nestjs/common';
import { lastValueFrom, toArray } from 'rxjs';
import {
  InvalidOptionsError,
  NonRetryableError,
  QueueRequiredError,
  ResultTimeoutError,
  Task,
  TaskCancelledError,
  TaskFailedError,
  TaskHandle,
  TaskNotFoundError,
  TaskSettlement,
  TaskStatus,
} from '../../lib';
import { EventsReader } from '../../lib/status/events-reader';
import { untilTaskAborted } from '../support/abortable-sleep';
import { Gate, running } from '../support/gate';
import { Ledger } from '../support/ledger';
import { createTestApp, TestApp } from '../support/test-app';
import { keyLayoutInTests } from '../support/redis';

/** One gate per label: a test decides when each gated task finishes. */
const gates = new Map<string, Gate>();
function gate(label: string): Gate {
  let found = gates.get(label);
  if (!found) gates.set(label, (found = new Gate()));
  return found;
}

@Injectable()
class Work {
  @Task({ name: 'results.gated', retries: 0 })
  async gated(label: string): Promise<string> {
    await gate(label).wait();
    return label;
  }

  @Task({ name: 'results.double', retries: 0 })
  async double(n: number): Promise<number> {
    return n * 2;
  }

  @Task({ name: 'results.big', retries: 0 })
  async big(): Promise<string> {
    return 'x'.repeat(5_000);
  }

  @Task({ name: 'results.fail', retries: 0 })
  async fail(): Promise<never> {
    throw new NonRetryableError('no way');
  }

  @Task({ name: 'results.until-cancelled', retries: 0 })
  untilCancelled(): Promise<void> {
    return untilTaskAborted();
  }
}

describe('waiting for many results', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([Work], { worker: { concurrency: 20 } })));
  afterAll(async () => {
    for (const opened of gates.values()) opened.release();
    await t.close();
  });

  it('yields results in the order tasks finish, not the order given', async () => {
    const labels = ['first', 'second', 'third'];
    const handles = await Promise.all(labels.map((l) => t.queue.enqueue('results.gated', [l])));
    await Promise.all(handles.map((handle) => running(handle)));
    const seen = new Ledger<TaskSettlement<unknown>>();
    const done = new Promise<void>((resolve, reject) =>
      t.queue
        .results(handles)
        .subscribe({ next: (s) => seen.add(s), error: reject, complete: resolve }),
    );
    // Finish them in reverse, each only after the previous one was yielded.
    for (const [i, label] of [...labels].reverse().entries()) {
      gate(label).release();
      await seen.until(i + 1);
    }
    await done;
    expect(seen.entries.map((s) => s.id)).toEqual([handles[2].id, handles[1].id, handles[0].id]);
    expect(seen.entries.map((s) => s.status === TaskStatus.SUCCEEDED && s.value)).toEqual([
      'third',
      'second',
      'first',
    ]);
  });

  it('yields tasks finished before it was called, then the others, with for await', async () => {
    const done = await t.queue.enqueueMany([
      { task: 'results.double', args: [1] },
      { task: 'results.double', args: [2] },
    ]);
    await t.queue.allResults(done);
    const later = await t.queue.enqueue('results.gated', ['later']);
    const values: unknown[] = [];
    const iteration = (async () => {
      for await (const settlement of t.queue.results([later, ...done])) {
        if (settlement.status === TaskStatus.SUCCEEDED) values.push(settlement.value);
        if (values.length === 2) gate('later').release();
      }
    })();
    await iteration;
    // The two finished ones come first (by when they finished), then the one that was waited for.
    expect(values.slice(0, 2).sort()).toEqual([2, 4]);
    expect(values[2]).toBe('later');
  });

  it('settles a mix of success, failure, cancellation and unknown ids', async () => {
    const ok = await t.queue.enqueue('results.double', [21]);
    const failed = await t.queue.enqueue('results.fail', []);
    const cancelled = await t.queue.enqueue('results.until-cancelled', []);
    const big = await t.queue.enqueue('results.big', []);
    await running(cancelled);
    await cancelled.cancel();
    // A custom id alone names no slot in the 'queue' layout: there its handle carries its queue.
    const unknown =
      keyLayoutInTests() === 'prefix'
        ? 'no-such-task'
        : t.queue.handle('no-such-task', { queue: 'default' });
    const settled = await t.queue.allSettled([ok, failed, cancelled, unknown, big]);
    expect(settled.map((s) => [s.id, s.status])).toEqual([
      [ok.id, TaskStatus.SUCCEEDED],
      [failed.id, TaskStatus.FAILED],
      [cancelled.id, TaskStatus.CANCELLED],
      ['no-such-task', TaskStatus.UNKNOWN],
      [big.id, TaskStatus.SUCCEEDED],
    ]);
    const [first, second, third, fourth, fifth] = settled;
    expect(first.status === TaskStatus.SUCCEEDED && first.value).toBe(42);
    expect(second.status === TaskStatus.FAILED && second.error).toBeInstanceOf(TaskFailedError);
    expect(second.status === TaskStatus.FAILED && second.error.remoteMessage).toBe('no way');
    expect(third.status === TaskStatus.CANCELLED && third.error).toBeInstanceOf(TaskCancelledError);
    expect(fourth.status === TaskStatus.UNKNOWN && fourth.error).toBeInstanceOf(TaskNotFoundError);
    expect(fifth.status === TaskStatus.SUCCEEDED && fifth.value).toHaveLength(5_000);
  });

  it('takes a bare custom id in the prefix layout; the queue layout asks for its queue', async () => {
    const ok = await t.queue.enqueue('results.double', [1]);
    const waiting = t.queue.allSettled([ok, 'no-such-task']);
    if (keyLayoutInTests() === 'prefix') {
      const settled = await waiting;
      expect(settled.map((s) => s.status)).toEqual([TaskStatus.SUCCEEDED, TaskStatus.UNKNOWN]);
    } else {
      await expect(waiting).rejects.toThrow(QueueRequiredError);
    }
  });

  it('allResults resolves in the order given, and rejects with the first failure', async () => {
    const number = await t.queue.enqueue(Work, 'double', [5]);
    const text = await t.queue.enqueue(Work, 'big', []);
    const [ten, long]: [number, string] = await t.queue.allResults([number, text]);
    expect([ten, long.length]).toEqual([10, 5_000]);
    const failed = await t.queue.enqueue('results.fail', []);
    const error = await t.queue.allResults([number, failed]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).taskId).toBe(failed.id);
  });

  it('follows ids without a known queue, as from another process', async () => {
    const a = await t.queue.enqueue('results.double', [3]);
    const b = await t.queue.enqueue('results.double', [4]);
    await expect(t.queue.allResults([t.queue.handle(a.id), b.id])).resolves.toEqual([6, 8]);
  });

  it('times out with ResultTimeoutError naming the tasks still pending, after the others', async () => {
    const quick = await t.queue.enqueue('results.double', [4]);
    const stuck = await t.queue.enqueue('results.gated', ['stuck']);
    const yielded: string[] = [];
    const error = await lastValueFrom(
      t.queue.results([stuck, quick], { timeout: 300 }).pipe(toArray()),
    ).catch((e: unknown) => e);
    await (async () => {
      try {
        for await (const s of t.queue.results([stuck, quick], { timeout: 300 })) yielded.push(s.id);
      } catch (thrown) {
        expect(thrown).toBeInstanceOf(ResultTimeoutError);
      }
    })();
    expect(error).toBeInstanceOf(ResultTimeoutError);
    expect((error as ResultTimeoutError).pendingIds).toEqual([stuck.id]);
    expect((error as ResultTimeoutError).message).toContain(stuck.id);
    expect(yielded).toEqual([quick.id]);
    gate('stuck').release();
  });

  it('waits for 1,000 tasks with one listener on the events reader', async () => {
    const handles = await t.queue.enqueueMany(
      Array.from({ length: 1_000 }, (_, i) => ({ task: 'results.double', args: [i] })),
    );
    const listen = jest.spyOn(t.app.get(EventsReader), 'listen');
    try {
      const values = await t.queue.allResults(handles, { timeout: 60_000 });
      expect(values).toEqual(handles.map((_, i) => i * 2));
      expect(listen).toHaveBeenCalledTimes(1);
      expect(listen.mock.calls[0][0]).toEqual({ queue: 'default' });
    } finally {
      listen.mockRestore();
    }
  });

  it('completes at once for no handles', async () => {
    await expect(lastValueFrom(t.queue.results([]).pipe(toArray()))).resolves.toEqual([]);
    await expect(t.queue.allSettled([])).resolves.toEqual([]);
  });

  it.each([
    ['not an array', 'handles', () => t.queue.results('abc' as unknown as string[])],
    ['a number in the list', 'handles[1]', () => t.queue.results(['a', 3 as unknown as string])],
    ['an id with whitespace', 'handles[0]', () => t.queue.results(['a b'])],
    ['a task listed twice', 'handles[1]', () => t.queue.results(['a', 'a'])],
    ['a negative timeout', 'timeout', () => t.queue.results(['a'], { timeout: -1 })],
    ['an unknown option', 'wait', () => t.queue.results(['a'], { wait: 1 } as object)],
  ])('rejects %s with InvalidOptionsError naming %s', (_, field, call) => {
    expect(call).toThrow(InvalidOptionsError);
    expect(call).toThrow(expect.objectContaining({ field }) as Error);
  });

  it('rejects bad input to allResults and allSettled instead of throwing', async () => {
    await expect(t.queue.allResults(['x', 'x'])).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(t.queue.allSettled([{} as TaskHandle])).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
  });
});
