import { Registry } from 'prom-client';
import {
  EnqueueOptions,
  InvalidOptionsError,
  QueueModuleOptions,
  TaskFailedError,
} from '../../lib';
import { createTestApp, TestApp } from '../support/test-app';
import { uniquePrefix } from '../support/redis';
import { nextOutcomes, OBS_QUEUE, ObservedTasks } from './workload';

/** One sample of a metric as prom-client reports it. */
interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

async function samples(registry: Registry, name: string): Promise<Sample[]> {
  const metrics = await registry.getMetricsAsJSON();
  const metric = metrics.find((m) => m.name === name);
  if (!metric) throw new Error(`no metric ${name} in the registry`);
  return metric.values as Sample[];
}

async function valueOf(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
  metricName = name,
): Promise<number | undefined> {
  const found = (await samples(registry, name)).find(
    (s) =>
      (s.metricName ?? name) === metricName &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value;
}

/**
 * Enqueues obs.ok from an app without a worker, waits `pauseMs`, then runs it in a worker
 * whose registry is its own: the wait it recorded (s, and how many), and the time since the
 * enqueue began (s).
 */
async function waitAfterPause(options: EnqueueOptions, pauseMs: number) {
  const prefix = uniquePrefix();
  const own = new Registry();
  const producer = await createTestApp([], { prefix, worker: { enabled: false } });
  const beforeEnqueue = Date.now();
  const handle = await producer.queue.enqueue(ObservedTasks, 'ok', [1], options);
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  const consumer = await createTestApp([ObservedTasks], {
    prefix,
    metrics: { registry: own },
    worker: { queues: [OBS_QUEUE] },
  });
  try {
    const outcome = nextOutcomes(consumer.worker.events$, 1);
    await handle.result({ timeout: 10_000 });
    await outcome;
    const sinceEnqueue = (Date.now() - beforeEnqueue) / 1000;
    const wait = 'taskmill_task_wait_seconds';
    const labels = { queue: OBS_QUEUE, task: 'obs.ok' };
    return {
      sinceEnqueue,
      waited: (await valueOf(own, wait, labels, `${wait}_sum`)) as number,
      count: await valueOf(own, wait, labels, `${wait}_count`),
    };
  } finally {
    await consumer.close();
    await producer.close();
  }
}

describe('metrics (prom-client)', () => {
  const registry = new Registry();
  let worker: TestApp;

  beforeAll(async () => {
    worker = await createTestApp([ObservedTasks], {
      metrics: { registry },
      worker: { queues: [OBS_QUEUE] },
    });
  });
  afterAll(() => worker.close());

  it('counts each outcome and times each run and wait after a known workload', async () => {
    // 3 successes, 2 failures, and one task that retries once then succeeds: 7 outcomes.
    const outcomes = nextOutcomes(worker.worker.events$, 7);
    const handles = await Promise.all([
      ...[1, 2, 3].map((n) => worker.queue.enqueue('obs.ok', [n])),
      worker.queue.enqueue('obs.bad'),
      worker.queue.enqueue('obs.bad'),
      worker.queue.enqueue('obs.flaky'),
    ]);
    const results = await Promise.allSettled(handles.map((h) => h.result({ timeout: 20_000 })));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(2);
    expect(
      results.every((r) => r.status === 'fulfilled' || r.reason instanceof TaskFailedError),
    ).toBe(true);
    await outcomes;

    const total = 'taskmill_tasks_total';
    const labels = (task: string, status: string) => ({ queue: OBS_QUEUE, task, status });
    expect(await valueOf(registry, total, labels('obs.ok', 'succeeded'))).toBe(3);
    expect(await valueOf(registry, total, labels('obs.bad', 'failed'))).toBe(2);
    expect(await valueOf(registry, total, labels('obs.flaky', 'retrying'))).toBe(1);
    expect(await valueOf(registry, total, labels('obs.flaky', 'succeeded'))).toBe(1);
    expect(await valueOf(registry, total, labels('obs.ok', 'failed'))).toBeUndefined();

    // Every run is timed once, every start's wait once: 3 + 2 + 2 runs.
    for (const [task, runs] of [
      ['obs.ok', 3],
      ['obs.bad', 2],
      ['obs.flaky', 2],
    ] as const) {
      const taskLabels = { queue: OBS_QUEUE, task };
      for (const name of ['taskmill_task_run_seconds', 'taskmill_task_wait_seconds']) {
        expect(await valueOf(registry, name, taskLabels, `${name}_count`)).toBe(runs);
        expect(await valueOf(registry, name, taskLabels, `${name}_sum`)).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('measures the wait from the enqueue: a task left unclaimed waits at least that long', async () => {
    const { waited, count, sinceEnqueue } = await waitAfterPause({}, 300);
    expect(count).toBe(1);
    // Causality, not timing: no worker could claim it before the pause ended, and it cannot
    // have waited longer than the time since the enqueue began (one clock: the same host).
    // The 5 ms cover rounding to whole ms and a timer that fires a little early.
    expect(waited).toBeGreaterThanOrEqual(0.3 - 0.005);
    expect(waited).toBeLessThanOrEqual(sinceEnqueue + 0.005);
  });

  it("measures a delayed task's wait from its due time, not its enqueue", async () => {
    const { waited, sinceEnqueue } = await waitAfterPause({ delay: 300 }, 700);
    // Causal bounds again: due 300 ms after the enqueue, unclaimed until 700 ms after it; a
    // wait counted from the enqueue would exceed the time since it fell due.
    expect(waited).toBeGreaterThanOrEqual(0.4 - 0.005);
    expect(waited).toBeLessThanOrEqual(sinceEnqueue - 0.3 + 0.005);
  });

  it('reads the queue gauge when scraped: waiting tasks of an unworked queue, dead letters', async () => {
    await worker.queue.enqueue('idle.task', [], { queue: 'obs-idle' });
    await worker.queue.enqueue('idle.task', [], { queue: 'obs-idle' });
    const gauge = 'taskmill_queue_tasks';
    expect(await valueOf(registry, gauge, { queue: 'obs-idle', state: 'waiting' })).toBe(2);
    expect(await valueOf(registry, gauge, { queue: 'obs-idle', state: 'running' })).toBe(0);
    expect(await valueOf(registry, gauge, { queue: OBS_QUEUE, state: 'dead' })).toBe(2);
    await worker.queue.enqueue('idle.task', [], { queue: 'obs-idle' });
    expect(await valueOf(registry, gauge, { queue: 'obs-idle', state: 'waiting' })).toBe(3);
  });

  it('counts held tasks in the queue gauge: waiting ones no live worker has a handler for', async () => {
    // The worker consumes OBS_QUEUE but has no handler for this name: its claim holds the task.
    const held = await worker.queue.enqueue('obs.unhosted', [], { queue: OBS_QUEUE });
    while ((await worker.queue.stats(OBS_QUEUE)).held !== 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const gauge = 'taskmill_queue_tasks';
    expect(await valueOf(registry, gauge, { queue: OBS_QUEUE, state: 'held' })).toBe(1);
    expect(await valueOf(registry, gauge, { queue: OBS_QUEUE, state: 'waiting' })).toBe(1);
    await held.cancel();
    expect(await valueOf(registry, gauge, { queue: OBS_QUEUE, state: 'held' })).toBe(0);
  });

  it('lets a second app register in the same registry (two apps, one process)', async () => {
    const second = await createTestApp([], {
      prefix: worker.prefix,
      metrics: { registry },
      worker: { enabled: false },
    });
    try {
      const text = await registry.metrics();
      expect(text.match(/^# TYPE taskmill_tasks_total counter$/gm)).toHaveLength(1);
      expect(
        await valueOf(registry, 'taskmill_tasks_total', {
          task: 'obs.ok',
          status: 'succeeded',
        }),
      ).toBe(3);
    } finally {
      await second.close();
    }
    // The first app's queues are still read after the second closed.
    expect(
      await valueOf(registry, 'taskmill_queue_tasks', { queue: 'obs-idle', state: 'waiting' }),
    ).toBe(3);
  });

  it('uses the default registry with metrics: true', async () => {
    const { register } = await import('prom-client');
    const app = await createTestApp([], { metrics: true, worker: { enabled: false } });
    try {
      expect(register.getSingleMetric('taskmill_tasks_total')).toBeDefined();
      expect(register.getSingleMetric('taskmill_queue_tasks')).toBeDefined();
    } finally {
      await app.close();
    }
  });

  it.each<[string, QueueModuleOptions, string]>([
    ['a string', { metrics: 'yes' as never }, 'metrics'],
    ['an unknown key', { metrics: { registy: new Registry() } as never }, 'metrics'],
    ['a registry that is not one', { metrics: { registry: {} as never } }, 'metrics.registry'],
    ['telemetry not a boolean', { telemetry: 'on' as never }, 'telemetry'],
  ])('refuses %s at startup with InvalidOptionsError', async (_, options, field) => {
    const failed = await createTestApp([], options).then(
      (app) => app.close().then(() => undefined),
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(InvalidOptionsError);
    expect((failed as InvalidOptionsError).field.startsWith(field)).toBe(true);
  });

  it('refuses a registry that holds a metric of the same name it did not make', async () => {
    const foreign = new Registry();
    const { Counter } = await import('prom-client');
    new Counter({ name: 'taskmill_tasks_total', help: 'not ours', registers: [foreign] });
    const failed = await createTestApp([], { metrics: { registry: foreign } }).then(
      (app) => app.close().then(() => undefined),
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(InvalidOptionsError);
    expect((failed as Error).message).toContain('taskmill_tasks_total');
  });
});
