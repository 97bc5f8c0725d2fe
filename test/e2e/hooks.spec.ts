import { Injectable } from '@nestjs/common';
import {
  NonRetryableError,
  OnTaskCancel,
  OnTaskFailure,
  OnTaskRetry,
  OnTaskStart,
  OnTaskSubmit,
  OnTaskSuccess,
  QueueService,
  Task,
  TaskCancelContext,
  TaskCancelledError,
  taskContext,
  TaskFailureContext,
  TaskHookContext,
  TaskRetryContext,
  TaskStatus,
  TaskSuccessContext,
  WorkerEvent,
} from '../../lib';
import { untilTaskAborted } from '../support/abortable-sleep';
import { running } from '../support/gate';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

/** `kind|task id|attempt`, in the order the hooks ran, across every app of the test. */
const fired = new Ledger<string>();
/** What the named success hook saw: the task's recorded status when it ran. */
const seenStatus = new Ledger<TaskStatus>();

/** `kind:attempt` of the hooks that ran for task `id`, in order. */
function entriesOf(id: string): string[] {
  return fired.entries
    .map((entry) => entry.split('|'))
    .filter(([, taskId]) => taskId === id)
    .map(([kind, , attempt]) => `${kind}:${attempt}`);
}

/**
 * Resolves once `count` hooks fired for task `id`, with the worker's ones in order. Submit
 * hooks are left out: they run in the enqueuing process once it sees the acknowledgement, and
 * a worker may start the task before that.
 */
async function workerHooksOf(id: string, count: number): Promise<string[]> {
  while (entriesOf(id).length < count) await fired.until(fired.entries.length + 1);
  const entries = entriesOf(id);
  expect(entries).toContain('submit:0');
  return entries.filter((entry) => entry !== 'submit:0');
}

@Injectable()
class Jobs {
  @Task({ name: 'hooks.ok', retries: 0 })
  async ok(label: string): Promise<string> {
    fired.add(`handler|${taskContext().id}|${taskContext().attempt}`);
    return `done:${label}`;
  }

  @Task({ name: 'hooks.flaky', retries: 1, backoff: 0 })
  async flaky(): Promise<string> {
    if (taskContext().attempt === 1) throw new Error('first run fails');
    return 'second run works';
  }

  @Task({ name: 'hooks.fatal', retries: 3 })
  async fatal(): Promise<void> {
    throw new NonRetryableError('bad input');
  }

  @Task({ name: 'hooks.cancellable', retries: 0 })
  cancellable(): Promise<void> {
    return untilTaskAborted();
  }

  @Task({ name: 'hooks.explosive', retries: 0 })
  async explosive(): Promise<string> {
    return 'still fine';
  }
}

@Injectable()
class Observer {
  constructor(private readonly queue: QueueService) {}

  @OnTaskSubmit()
  submit({ task }: TaskHookContext): void {
    fired.add(`submit|${task.id}|${task.attempt}`);
  }

  @OnTaskStart()
  start({ task }: TaskHookContext): void {
    fired.add(`start|${task.id}|${task.attempt}`);
  }

  @OnTaskSuccess()
  async success({ task }: TaskSuccessContext): Promise<void> {
    fired.add(`success|${task.id}|${task.attempt}`);
  }

  @OnTaskRetry()
  retry({ task, error, delayMs }: TaskRetryContext): void {
    fired.add(`retry|${task.id}|${task.attempt}`);
    expect(error.message).toBe('first run fails');
    expect(delayMs).toBe(0);
  }

  @OnTaskFailure()
  failure({ task, cause }: TaskFailureContext): void {
    fired.add(`failure|${task.id}|${task.attempt}`);
    expect(cause).toBeInstanceOf(NonRetryableError);
  }

  @OnTaskCancel()
  cancel({ task }: TaskCancelContext): void {
    fired.add(`cancel|${task.id}|${task.attempt}`);
  }

  /** Only hooks.ok: also checks that the outcome is recorded before success hooks run. */
  @OnTaskSuccess('hooks.ok')
  async okOnly({ task, args, result }: TaskSuccessContext<string, [string]>): Promise<void> {
    fired.add(`ok-only|${task.id}|${args[0]}>${result}`);
    seenStatus.add((await this.queue.handle(task.id).status()).status);
  }

  @OnTaskStart('hooks.explosive')
  async explodeOnStart(): Promise<void> {
    throw new Error('start hook broke');
  }

  @OnTaskSuccess('hooks.explosive')
  explodeOnSuccess(): void {
    throw new Error('success hook broke');
  }

  /** Declared after the throwing one: still runs. */
  @OnTaskSuccess('hooks.explosive')
  afterExplosion({ task }: TaskSuccessContext): void {
    fired.add(`after-explosion|${task.id}|${task.attempt}`);
  }
}

describe('lifecycle hooks', () => {
  let t: TestApp;
  const events: WorkerEvent[] = [];
  beforeAll(async () => {
    t = await createTestApp([Jobs, Observer]);
    t.worker.events$.subscribe((event) => events.push(event));
  });
  afterAll(() => t.close());

  it('fires submit, start, then success after the outcome is recorded', async () => {
    const handle = await t.queue.enqueue('hooks.ok', ['a']);
    // enqueue() resolves after its submit hooks ran.
    expect(entriesOf(handle.id)).toContain('submit:0');
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('done:a');
    expect(await workerHooksOf(handle.id, 5)).toEqual([
      'start:1',
      'handler:1',
      'success:1',
      'ok-only:a>done:a',
    ]);
    await seenStatus.until(1);
    expect(seenStatus.entries[0]).toBe(TaskStatus.SUCCEEDED);
  });

  it('fires start, retry, start, success across a retried run', async () => {
    const handle = await t.queue.enqueue('hooks.flaky', []);
    await handle.result({ timeout: 5000 });
    expect(await workerHooksOf(handle.id, 5)).toEqual([
      'start:1',
      'retry:1',
      'start:2',
      'success:2',
    ]);
  });

  it('fires failure hooks with what the handler threw', async () => {
    const handle = await t.queue.enqueue('hooks.fatal', []);
    await expect(handle.result({ timeout: 5000 })).rejects.toThrow('bad input');
    expect(await workerHooksOf(handle.id, 3)).toEqual(['start:1', 'failure:1']);
  });

  it('fires cancel hooks when a running task is cancelled', async () => {
    const handle = await t.queue.enqueue('hooks.cancellable', []);
    await running(handle);
    await handle.cancel();
    await expect(handle.result({ timeout: 5000 })).rejects.toBeInstanceOf(TaskCancelledError);
    expect(await workerHooksOf(handle.id, 3)).toEqual(['start:1', 'cancel:1']);
  });

  it('runs a named hook only for its task', async () => {
    const other = await t.queue.enqueue('hooks.flaky', []);
    await other.result({ timeout: 5000 });
    await workerHooksOf(other.id, 5);
    expect(fired.entries.filter((e) => e.startsWith(`ok-only:${other.id}`))).toEqual([]);
  });

  it('reports a throwing hook as hook.failed, runs the next hooks, and the task completes', async () => {
    const handle = await t.queue.enqueue('hooks.explosive', []);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('still fine');
    expect(await workerHooksOf(handle.id, 4)).toEqual([
      'start:1',
      'success:1',
      'after-explosion:1',
    ]);
    const failed = events.filter(
      (event): event is Extract<WorkerEvent, { type: 'hook.failed' }> =>
        event.type === 'hook.failed' && event.task.id === handle.id,
    );
    expect(failed.map(({ kind, hook, error }) => [kind, hook, error.message])).toEqual([
      ['start', 'Observer.explodeOnStart', 'start hook broke'],
      ['success', 'Observer.explodeOnSuccess', 'success hook broke'],
    ]);
  });
});

@Injectable()
class SubmitAudit {
  @OnTaskSubmit('hooks.explosive')
  audit(): void {
    throw new Error('audit is down');
  }
}

describe('submit hooks in a producer-only app', () => {
  const apps: TestApp[] = [];
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  it('fire in the enqueuing process, where a throwing one is reported; the worker fires the rest', async () => {
    const prefix = uniquePrefix();
    const producer = await createTestApp([Observer, SubmitAudit], {
      prefix,
      worker: { enabled: false },
    });
    apps.push(producer);
    const events: WorkerEvent[] = [];
    producer.worker.events$.subscribe((event) => events.push(event));
    const [handle] = await producer.queue.enqueueMany([{ task: 'hooks.explosive' }]);
    expect(entriesOf(handle.id)).toEqual(['submit:0']);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'hook.failed',
        kind: 'submit',
        hook: 'SubmitAudit.audit',
        task: { id: handle.id, name: 'hooks.explosive', queue: 'default', attempt: 0 },
      }),
    ]);
    apps.push(await createTestApp([Jobs, Observer], { prefix }));
    await handle.result({ timeout: 5000 });
    expect(await workerHooksOf(handle.id, 4)).toEqual([
      'start:1',
      'success:1',
      'after-explosion:1',
    ]);
  });
});
