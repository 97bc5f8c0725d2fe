import type * as PromClient from 'prom-client';
import { InvalidOptionsError } from '../../errors';
import { QueueCounts } from '../../broker/queue-snapshot';

type TaskLabels = 'queue' | 'task';

/** Reads the counts of an app's queues, for the gauge (one app's QueueService). */
export type CountSource = () => Promise<QueueCounts[]>;

/** taskmill's metrics in one registry, shared by every app of the process that uses it. */
export interface MetricSet {
  tasks: PromClient.Counter<TaskLabels | 'status'>;
  runSeconds: PromClient.Histogram<TaskLabels>;
  waitSeconds: PromClient.Histogram<TaskLabels>;
  queueTasks: PromClient.Gauge<'queue' | 'state'>;
  /** The apps whose queues the gauge reads when scraped. */
  sources: Set<CountSource>;
}

export const METRIC_NAMES = {
  tasks: 'taskmill_tasks_total',
  runSeconds: 'taskmill_task_run_seconds',
  waitSeconds: 'taskmill_task_wait_seconds',
  queueTasks: 'taskmill_queue_tasks',
} as const;

/** Run times: from a few ms (most tasks) to minutes (reports, exports). */
const RUN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Wait times: from an idle worker's ms to a backlog of an hour. */
const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

/**
 * By registry: two apps in one process (a producer and a worker, or tests) registering in the
 * same registry share one set instead of failing on prom-client's duplicate-name check.
 */
const sets = new WeakMap<object, MetricSet>();

/** The set of `registry`, made on first use. */
export function metricSetOf(prom: typeof PromClient, registry: PromClient.Registry): MetricSet {
  let set = sets.get(registry);
  if (!set) sets.set(registry, (set = createSet(prom, registry)));
  return set;
}

function createSet(prom: typeof PromClient, registry: PromClient.Registry): MetricSet {
  const registers = [registry];
  const sources = new Set<CountSource>();
  for (const name of Object.values(METRIC_NAMES)) refuseTaken(registry, name);
  return {
    sources,
    tasks: new prom.Counter({
      name: METRIC_NAMES.tasks,
      help: 'Runs of tasks ended in this process, by outcome (succeeded, retrying, failed, cancelled)',
      labelNames: ['queue', 'task', 'status'],
      registers,
    }),
    runSeconds: taskHistogram(
      prom,
      registry,
      METRIC_NAMES.runSeconds,
      'How long runs of tasks took in this process, until their outcome was recorded',
      RUN_BUCKETS,
    ),
    waitSeconds: taskHistogram(
      prom,
      registry,
      METRIC_NAMES.waitSeconds,
      'How long tasks waited to start, since enqueued or due (a delay or retry backoff)',
      WAIT_BUCKETS,
    ),
    queueTasks: new prom.Gauge({
      name: METRIC_NAMES.queueTasks,
      help: 'Tasks in each queue by state (waiting, of them held, delayed, running, dead), read when scraped',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const source of sources) {
          for (const counts of await source()) setCounts(this, counts);
        }
      },
    }),
  };
}

function taskHistogram(
  prom: typeof PromClient,
  registry: PromClient.Registry,
  name: string,
  help: string,
  buckets: number[],
): PromClient.Histogram<TaskLabels> {
  return new prom.Histogram({
    name,
    help,
    labelNames: ['queue', 'task'],
    buckets,
    registers: [registry],
  });
}

function setCounts(gauge: PromClient.Gauge<'queue' | 'state'>, counts: QueueCounts): void {
  const { queue } = counts;
  gauge.set({ queue, state: 'waiting' }, counts.waiting);
  gauge.set({ queue, state: 'held' }, counts.held);
  gauge.set({ queue, state: 'delayed' }, counts.delayed);
  gauge.set({ queue, state: 'running' }, counts.running);
  gauge.set({ queue, state: 'dead' }, counts.deadLettered);
}

/** A metric of ours already in the registry, not made by this copy of taskmill. */
function refuseTaken(registry: PromClient.Registry, name: string): void {
  if (registry.getSingleMetric(name) === undefined) return;
  throw new InvalidOptionsError(
    'metrics.registry',
    `already holds a metric named ${name} that this copy of taskmill did not register ` +
      `(another copy of the package, or the app's own); give taskmill a registry of its own`,
  );
}
