import {
  CallHandler,
  CanActivate,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Observable } from 'rxjs';
import { Task, TaskBatch, TaskContext, TaskHandle, TaskStatus } from '../../lib';
import { failureOf } from '../support/failures';
import { createTestApp, TestApp } from '../support/test-app';

jest.setTimeout(60_000);

/** One call of a batch handler: the ids it got, and how many calls ran at once then. */
interface BatchCall {
  name: string;
  ids: string[];
  attempts: number[];
  atOnce: number;
}

const calls: BatchCall[] = [];

/** What the interceptor saw of each call: its arguments and the task context's id. */
const intercepted: { args: unknown[]; contextId: string }[] = [];

@Injectable()
class SeeCall implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const args = context.getArgByIndex<unknown[]>(0);
    intercepted.push({ args, contextId: context.getArgByIndex<TaskContext>(1).id });
    return next.handle();
  }
}

class Deny implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}
let inCall = 0;

/** Records a call of a batch handler while it runs (`holdMs` long). */
async function record(name: string, batch: TaskBatch, holdMs = 20): Promise<void> {
  inCall++;
  calls.push({
    name,
    ids: batch.items.map((item) => item.id),
    attempts: batch.items.map((item) => item.attempt),
    atOnce: inCall,
  });
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  inCall--;
}

@Injectable()
class BatchTasks {
  @Task({ name: 'batch.double', queue: 'batched', batch: { size: 10, waitMs: 3000 } })
  async double({ items }: TaskBatch<[number]>): Promise<number[]> {
    await record('batch.double', { items });
    return items.map(({ args: [n] }) => n * 2);
  }

  /** Fails the items whose argument is 'bad' on their first attempt. */
  @Task({
    name: 'batch.some-fail',
    queue: 'batched',
    retries: 2,
    backoff: 10,
    batch: { size: 10, waitMs: 300 },
  })
  async someFail({ items }: TaskBatch<[string]>): Promise<(string | Error)[]> {
    await record('batch.some-fail', { items });
    return items.map(({ args: [word], attempt }) =>
      word === 'bad' && attempt === 1 ? new Error(`no ${word} words`) : word.toUpperCase(),
    );
  }

  @Task({ name: 'batch.throws', queue: 'batched', retries: 0, batch: { size: 5, waitMs: 300 } })
  async throws({ items }: TaskBatch<[number]>): Promise<never> {
    await record('batch.throws', { items });
    throw new Error(`the provider is down (${items.length} items)`);
  }

  @Task({ name: 'batch.short', queue: 'batched', retries: 3, batch: { size: 5, waitMs: 300 } })
  async short({ items }: TaskBatch<[number]>): Promise<number[]> {
    await record('batch.short', { items });
    return items.slice(1).map(({ args: [n] }) => n);
  }

  @Task({ name: 'batch.not-array', queue: 'batched', batch: { size: 5, waitMs: 300 } })
  async notArray({ items }: TaskBatch<[number]>): Promise<unknown> {
    await record('batch.not-array', { items });
    return 'done';
  }

  @Task({ name: 'batch.slow', queue: 'batched', batch: { size: 3, waitMs: 100 } })
  async slow({ items }: TaskBatch<[number]>): Promise<number[]> {
    await record('batch.slow', { items }, 150);
    return items.map(({ args: [n] }) => n);
  }

  /** Not a batch task: a handler call of its own, counted with the batch calls. */
  @Task({ name: 'batch.plain', queue: 'batched' })
  async plain(n: number): Promise<number> {
    await record('batch.plain', { items: [{ id: '', args: [n], attempt: 1 }] }, 150);
    return n;
  }

  @UseInterceptors(SeeCall)
  @Task({ name: 'batch.seen', queue: 'batched', batch: { size: 3, waitMs: 300 } })
  async seen({ items }: TaskBatch<[number]>): Promise<number[]> {
    await record('batch.seen', { items });
    return items.map(({ args: [n] }) => n);
  }

  @UseGuards(Deny)
  @Task({ name: 'batch.denied', queue: 'batched', retries: 3, batch: { size: 3, waitMs: 300 } })
  async denied({ items }: TaskBatch<[number]>): Promise<number[]> {
    await record('batch.denied', { items });
    return items.map(({ args: [n] }) => n);
  }

  @Task({ name: 'batch.patient', queue: 'batched', batch: { size: 50, waitMs: 1500 } })
  async patient({ items }: TaskBatch<[string]>): Promise<string[]> {
    await record('batch.patient', { items });
    return items.map(({ args: [word] }) => word);
  }
}

describe('batch handlers (@Task({ batch }))', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp([BatchTasks, SeeCall], {
      worker: { queues: ['batched'], concurrency: 2 },
    });
    // The queue becomes known with its first task: pause() needs it (see backlog).
    await (await t.queue.enqueue('batch.double', [0], { queue: 'batched' })).result();
  });
  afterAll(() => t.close());
  beforeEach(() => (calls.length = 0));

  /** Enqueues `args` as tasks of `name` while the queue is paused: a backlog for the worker. */
  async function backlog(name: string, args: unknown[][]): Promise<TaskHandle[]> {
    await t.queue.pause('batched');
    const handles = await Promise.all(
      args.map((a) => t.queue.enqueue(name, a, { queue: 'batched' })),
    );
    await t.queue.resume('batched');
    return handles;
  }

  function callsOf(name: string): BatchCall[] {
    return calls.filter((call) => call.name === name);
  }

  it('hands the handler up to size tasks at once, beyond the worker concurrency, each with its own result', async () => {
    const numbers = Array.from({ length: 25 }, (_, i) => i);
    const handles = await backlog(
      'batch.double',
      numbers.map((n) => [n]),
    );
    const results = await Promise.all(handles.map((handle) => handle.result({ timeout: 20_000 })));
    expect(results).toEqual(numbers.map((n) => n * 2));
    const batches = callsOf('batch.double');
    // Concurrency 2, size 10: a backlog fills whole batches (the last one gets what is left).
    expect(batches.map((call) => call.ids.length)).toEqual([10, 10, 5]);
    expect(batches.flatMap((call) => call.ids).sort()).toEqual(handles.map((h) => h.id).sort());
    // Each item is a task of its own: its own status and history.
    const history = await handles[7].history();
    expect(history.map((entry) => entry.status)).toEqual([
      TaskStatus.SUBMITTED,
      TaskStatus.RUNNING,
      TaskStatus.SUCCEEDED,
    ]);
  });

  it('fails an item whose result is an Error alone, and retries it alone', async () => {
    const words = ['ok', 'bad', 'fine', 'good'];
    const handles = await backlog(
      'batch.some-fail',
      words.map((word) => [word]),
    );
    const results = await Promise.all(handles.map((handle) => handle.result({ timeout: 20_000 })));
    expect(results).toEqual(['OK', 'BAD', 'FINE', 'GOOD']);
    const batches = callsOf('batch.some-fail');
    expect(batches[0].ids).toEqual(handles.map((h) => h.id));
    // The retry: the failed item only, on its second attempt.
    expect(batches.slice(1)).toEqual([
      expect.objectContaining({ ids: [handles[1].id], attempts: [2] }),
    ]);
    expect((await handles[1].history()).map((entry) => entry.status)).toEqual([
      TaskStatus.SUBMITTED,
      TaskStatus.RUNNING,
      TaskStatus.RETRYING,
      TaskStatus.RUNNING,
      TaskStatus.SUCCEEDED,
    ]);
    expect((await handles[0].history()).map((entry) => entry.status)).toEqual([
      TaskStatus.SUBMITTED,
      TaskStatus.RUNNING,
      TaskStatus.SUCCEEDED,
    ]);
  });

  it('fails every item of the batch when the handler throws', async () => {
    const handles = await backlog('batch.throws', [[1], [2], [3]]);
    for (const handle of handles) {
      const error = await failureOf(handle, 20_000);
      expect(error.remoteMessage).toBe('the provider is down (3 items)');
    }
  });

  it('fails every item with BatchResultError, without retries, when the results are not one per item', async () => {
    const short = await backlog('batch.short', [[1], [2], [3]]);
    for (const handle of short) {
      const error = await failureOf(handle, 20_000);
      expect(error.remoteName).toBe('BatchResultError');
      expect(error.remoteMessage).toContain('returned 2 results for a batch of 3 items');
      expect(error.attempts).toBe(1);
    }
    const notArray = await backlog('batch.not-array', [[1], [2]]);
    const error = await failureOf(notArray[0], 20_000);
    expect(error.remoteMessage).toContain('returned "done" for a batch of 2 items');
  });

  it('runs no more batch calls at once than the worker concurrency', async () => {
    const handles = await backlog(
      'batch.slow',
      Array.from({ length: 18 }, (_, i) => [i]),
    );
    await Promise.all(handles.map((handle) => handle.result({ timeout: 20_000 })));
    const batches = callsOf('batch.slow');
    expect(batches.flatMap((call) => call.ids)).toHaveLength(18);
    expect(Math.max(...batches.map((call) => call.atOnce))).toBeLessThanOrEqual(2);
    expect(batches.every((call) => call.ids.length <= 3)).toBe(true);
  });

  it('counts batch calls and other tasks against the same concurrency', async () => {
    // Batch items and plain tasks interleaved: a claim's answer holds both kinds.
    const handles = await backlog(
      'batch.slow',
      Array.from({ length: 12 }, (_, i) => [i]),
    );
    const plain = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.queue.enqueue('batch.plain', [i], { queue: 'batched' }),
      ),
    );
    await Promise.all([...handles, ...plain].map((handle) => handle.result({ timeout: 20_000 })));
    expect(callsOf('batch.plain')).toHaveLength(6);
    expect(Math.max(...calls.map((call) => call.atOnce))).toBeLessThanOrEqual(2);
  });

  it("runs interceptors and guards on the batch call, in the first item's task context", async () => {
    intercepted.length = 0;
    const seen = await backlog('batch.seen', [[1], [2], [3]]);
    expect(await Promise.all(seen.map((handle) => handle.result({ timeout: 20_000 })))).toEqual([
      1, 2, 3,
    ]);
    expect(intercepted).toHaveLength(1);
    const [batch] = intercepted[0].args as [TaskBatch<[number]>];
    expect(batch.items.map((item) => item.id)).toEqual(seen.map((handle) => handle.id));
    expect(intercepted[0].contextId).toBe(seen[0].id);
    // A guard that refuses the call fails every item at once, without retries.
    const denied = await backlog('batch.denied', [[1], [2]]);
    for (const handle of denied) {
      const error = await failureOf(handle, 20_000);
      expect(error.remoteName).toBe('TaskForbiddenError');
      expect(error.attempts).toBe(1);
    }
    expect(callsOf('batch.denied')).toEqual([]);
  });

  it('waits up to waitMs for a batch to fill, and leaves out an item cancelled meanwhile', async () => {
    const first = await t.queue.enqueue('batch.patient', ['first'], { queue: 'batched' });
    await waitForStatus(first, TaskStatus.RUNNING);
    const cancelled = await t.queue.enqueue('batch.patient', ['cancelled'], { queue: 'batched' });
    await waitForStatus(cancelled, TaskStatus.RUNNING);
    const last = await t.queue.enqueue('batch.patient', ['last'], { queue: 'batched' });
    await waitForStatus(last, TaskStatus.RUNNING);
    // All three wait in one batch (its waitMs is not over): none has been handed over yet.
    expect(callsOf('batch.patient')).toEqual([]);
    await cancelled.cancel();
    await expect(first.result({ timeout: 20_000 })).resolves.toBe('first');
    await expect(last.result({ timeout: 20_000 })).resolves.toBe('last');
    expect((await cancelled.status()).status).toBe(TaskStatus.CANCELLED);
    expect(callsOf('batch.patient').map((call) => call.ids)).toEqual([[first.id, last.id]]);
  });
});

async function waitForStatus(handle: TaskHandle, status: TaskStatus): Promise<void> {
  for (;;) {
    if ((await handle.status()).status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
