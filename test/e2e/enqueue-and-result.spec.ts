import { Injectable } from '@nestjs/common';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { RedisConnections } from '../../lib/redis/redis-connections';
import {
  MessageAlreadyExistsError,
  QueueRequiredError,
  Task,
  TaskStatus,
  taskContext,
  WorkerEvent,
} from '../../lib';
import { TaskRouter } from '../../lib/broker/task-router';
import { keyLayoutInTests, uniquePrefix } from '../support/redis';
import { Gate } from '../support/gate';
import { collect } from '../support/observables';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

const secondTryRunning = new Gate();
const secondTryMayEnd = new Gate();

@Injectable()
class MathTasks {
  constructor(private readonly greeter: Greeter) {}

  @Task('math.add')
  async add(a: number, b: number): Promise<number> {
    return a + b;
  }

  /** Name defaults to ClassName.methodName; DI works inside the handler. */
  @Task()
  async greet(name: string): Promise<{ text: string; attempt: number }> {
    return { text: this.greeter.greet(name), attempt: taskContext().attempt };
  }

  @Task('math.repeat')
  async repeat(text: string, times: number): Promise<string> {
    return text.repeat(times);
  }

  /** Attempt 1 reports progress and fails; attempt 2 reports nothing and waits for the test. */
  @Task({ name: 'math.second-try', retries: 1, backoff: 1 })
  async secondTry(): Promise<string> {
    const { attempt, progress } = taskContext();
    if (attempt === 1) {
      await progress({ pct: 90 });
      throw new Error('first try fails');
    }
    secondTryRunning.release();
    await secondTryMayEnd.wait();
    return 'second try';
  }

  @Task('math.count')
  async count(to: number): Promise<number> {
    for (let done = 1; done <= to; done++) await taskContext().progress({ done, to });
    return to;
  }
}

describe('enqueue and result', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([Greeter, MathTasks])));
  afterAll(() => t.close());

  it('runs a task enqueued by name and resolves with its return value', async () => {
    const handle = await t.queue.enqueue('math.add', [2, 3]);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe(5);
    expect((await handle.status()).status).toBe(TaskStatus.SUCCEEDED);
  });

  it('returns small results (inside the event) and large ones (read from the task) alike', async () => {
    const small = await t.queue.enqueue('math.repeat', ['ab', 3], { delay: 100 });
    const large = await t.queue.enqueue('math.repeat', ['xyz', 5000], { delay: 100 });
    await expect(small.result({ timeout: 5000 })).resolves.toBe('ababab');
    await expect(large.result({ timeout: 5000 })).resolves.toBe('xyz'.repeat(5000));
    // And once finished, both are read back from the task itself.
    await expect(t.queue.handle(large.id).result()).resolves.toHaveLength(15_000);
    await expect(t.queue.handle(small.id).result()).resolves.toBe('ababab');
  });

  it('runs a task enqueued by class and method on its provider instance (DI works)', async () => {
    const handle = await t.queue.enqueue(MathTasks, 'greet', ['ada']);
    await expect(handle.result({ timeout: 5000 })).resolves.toEqual({
      text: 'hello ada',
      attempt: 1,
    });
  });

  it('reports SUBMITTED, RUNNING, SUCCEEDED in order through status$', async () => {
    // Delayed, so the observer subscribes while the task still waits.
    const handle = await t.queue.enqueue('math.add', [1, 1], { delay: 300 });
    const updates = await collect(handle.status$);
    expect(updates.map((u) => u.status)).toEqual([
      TaskStatus.SUBMITTED,
      TaskStatus.RUNNING,
      TaskStatus.SUCCEEDED,
    ]);
    expect(updates.map((u) => u.attempt)).toEqual([0, 1, 1]);
    expect(
      updates.every((u) => u.id === handle.id && u.task === 'math.add' && u.queue === 'default'),
    ).toBe(true);
  });

  it('starts status$ with the current status and completes at once for a finished task', async () => {
    const handle = await t.queue.enqueue('math.add', [4, 4]);
    await handle.result({ timeout: 5000 });
    const updates = await collect(handle.status$);
    expect(updates.map((u) => u.status)).toEqual([TaskStatus.SUCCEEDED]);
  });

  it('publishes progress as RUNNING updates carrying the value', async () => {
    const handle = await t.queue.enqueue('math.count', [3], { delay: 200 });
    const updates = await collect(handle.status$);
    const progress = updates.filter((u) => u.progress !== undefined).map((u) => u.progress);
    expect(progress).toEqual([
      { done: 1, to: 3 },
      { done: 2, to: 3 },
      { done: 3, to: 3 },
    ]);
    expect(updates[updates.length - 1].status).toBe(TaskStatus.SUCCEEDED);
  });

  it("does not show an earlier attempt's progress on the running attempt", async () => {
    const handle = await t.queue.enqueue('math.second-try', []);
    await secondTryRunning.wait();
    const status = await handle.status();
    secondTryMayEnd.release();
    expect(status).toMatchObject({ status: TaskStatus.RUNNING, attempt: 2 });
    expect(status.progress).toBeUndefined();
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('second try');
  });

  it('keeps a status history per task', async () => {
    const handle = await t.queue.enqueue('math.add', [5, 5]);
    await handle.result({ timeout: 5000 });
    const history = await handle.history();
    expect(history.map((h) => h.status)).toEqual([
      TaskStatus.SUBMITTED,
      TaskStatus.RUNNING,
      TaskStatus.SUCCEEDED,
    ]);
  });

  it('enqueues a batch with enqueueMany in one round trip', async () => {
    const command = t.app.get(RedisConnections).command;
    const sent = jest.spyOn(command, 'sendCommand');
    // The worker shares the connection: count only calls of the enqueue script.
    const enqueueCalls = () =>
      sent.mock.calls.filter(
        ([c]) =>
          ['evalsha', 'eval', 'fcall'].includes(c.name.toLowerCase()) &&
          c.args.includes('math.add'),
      );
    const handles = await t.queue.enqueueMany([
      { task: 'math.add', args: [1, 2] },
      { task: 'math.add', args: [3, 4], options: { priority: 2 } },
      { task: 'MathTasks.greet', args: ['bob'] },
    ]);
    expect(enqueueCalls()).toHaveLength(1);
    sent.mockRestore();
    const results = await Promise.all(handles.map((h) => h.result({ timeout: 5000 })));
    expect(results).toEqual([3, 7, { text: 'hello bob', attempt: 1 }]);
  });

  it('sends the single enqueues of one turn as calls of 100, in order, each task on its own', async () => {
    const prefix = uniquePrefix();
    const producer = await createTestApp([], { prefix, worker: { enabled: false } });
    try {
      const sent = jest.spyOn(producer.app.get(RedisConnections).command, 'sendCommand');
      const enqueueCalls = () =>
        sent.mock.calls.filter(([c]) =>
          ['evalsha', 'eval', 'fcall'].includes(c.name.toLowerCase()),
        );
      const existing = await producer.queue.enqueue('math.add', [0, 0], { id: 'taken-id' });
      const before = enqueueCalls().length;
      const settled = await Promise.allSettled(
        Array.from({ length: 250 }, (_, i) =>
          producer.queue.enqueue('math.add', [i, 0], i === 120 ? { id: 'taken-id' } : {}),
        ),
      );
      expect(enqueueCalls().length - before).toBe(3);
      sent.mockRestore();
      // A taken id fails only its own enqueue (the default onDuplicate is an error).
      expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
      expect((settled[120] as PromiseRejectedResult).reason).toBeInstanceOf(
        MessageAlreadyExistsError,
      );
      // FIFO across the calls: the waiting list holds them in the order they were made.
      const ids = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.id] : []));
      const waiting = await producer.queue.peek('default', 300);
      expect(waiting.map((task) => task.id)).toEqual([existing.id, ...ids]);
    } finally {
      await producer.close();
    }
  });

  it("streams every task change on queue.events$, and this worker's work on worker.events$", async () => {
    const seen = firstValueFrom(
      t.queue.events$({ queue: 'default' }).pipe(
        filter((u) => u.id === 'events-1' && u.status === TaskStatus.SUCCEEDED),
        take(1),
      ),
    );
    const workerEvents = firstValueFrom(
      t.worker.events$.pipe(
        filter((e: WorkerEvent) => 'task' in e && e.task.id === 'events-1'),
        take(2),
        toArray(),
      ),
    );
    // Delayed, so both subscriptions are registered before the task runs.
    const handle = await t.queue.enqueue('math.add', [10, 20], { id: 'events-1', delay: 300 });
    expect((await seen).id).toBe(handle.id);
    const events = await workerEvents;
    expect(events.map((e) => e.type)).toEqual(['task.started', 'task.succeeded']);
    // A run's events share one task reference, frozen so that no listener can change another's.
    const [started, succeeded] = events.map((e) => ('task' in e ? e.task : undefined));
    expect(succeeded).toEqual({ id: 'events-1', name: 'math.add', queue: 'default', attempt: 1 });
    expect(Object.isFrozen(started) && Object.isFrozen(succeeded)).toBe(true);
  });

  it('shows events$() of every queue the first events of a queue created later', async () => {
    const queue = `fresh-${Date.now()}`;
    const seen = firstValueFrom(
      t.queue.events$().pipe(
        filter((u) => u.queue === queue),
        take(1),
      ),
    );
    // events$ has no "ready" signal: give the subscription time to register.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await t.queue.enqueue('handled.elsewhere', [], { queue });
    expect(await seen).toMatchObject({
      queue,
      status: TaskStatus.SUBMITTED,
      task: 'handled.elsewhere',
    });
  });

  it('reports UNKNOWN for an id that was never enqueued', async () => {
    const neverEnqueued = [
      // A custom id with its queue, and an id like the ones taskmill makes (a slot's tag first
      // in the 'queue' layout), which needs no queue.
      t.queue.handle('no-such-task', { queue: 'default' }),
      t.queue.handle(t.app.get(TaskRouter).newId('default')),
    ];
    for (const handle of neverEnqueued) {
      expect((await handle.status()).status).toBe(TaskStatus.UNKNOWN);
      expect((await collect(handle.status$)).map((u) => u.status)).toEqual([TaskStatus.UNKNOWN]);
    }
  });

  it('finds a task by a custom id alone only in the prefix layout', async () => {
    if (keyLayoutInTests() === 'prefix') {
      // Every task of a prefix is in one slot: the id alone tells where to look.
      expect((await t.queue.handle('no-such-task').status()).status).toBe(TaskStatus.UNKNOWN);
    } else {
      // Each queue has a slot of its own and a custom id names none: the caller must say.
      expect(() => t.queue.handle('no-such-task')).toThrow(QueueRequiredError);
      expect(() => t.queue.handle('no-such-task')).toThrow(/Pass its queue/);
    }
  });
});
