import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type * as PromClient from 'prom-client';
import { Subscription } from 'rxjs';
import { ClaimedTask } from '../../broker/claimed-task';
import { QueueCounts } from '../../broker/queue-snapshot';
import { RESOLVED_OPTIONS } from '../../constants';
import { WorkerEvent } from '../../core/worker-event';
import { ResolvedModuleOptions } from '../../options/module.options';
import { QueueService } from '../../queue/queue.service';
import { RunWrappers } from '../../worker/run-wrappers';
import { WorkerService } from '../../worker/worker.service';
import { guarded } from '../guarded';
import { loadPeer } from '../optional-peer';
import { CountSource, MetricSet, metricSetOf } from './metric-set';

/** Outcome events and the `status` label they count under. */
const OUTCOMES: Partial<Record<WorkerEvent['type'], string>> = {
  'task.succeeded': 'succeeded',
  'task.retrying': 'retrying',
  'task.failed': 'failed',
  'task.cancelled': 'cancelled',
};

/**
 * Prometheus metrics (`metrics` module option): counts and times this process's runs from the
 * worker's events, times each claimed task's wait, and has the queue gauge read this app's
 * queues when the registry is scraped. Does nothing, and loads nothing, when metrics are off.
 */
@Injectable()
export class TaskMetrics implements OnModuleDestroy {
  private readonly logger = new Logger('taskmill:Metrics');
  private set?: MetricSet;
  private subscription?: Subscription;
  private source?: CountSource;

  constructor(
    @Inject(RESOLVED_OPTIONS) options: ResolvedModuleOptions,
    worker: WorkerService,
    queue: QueueService,
    runs: RunWrappers,
  ) {
    if (!options.metrics) return;
    const prom = loadPeer<typeof PromClient>('prom-client', 'metrics: true');
    const registry = (options.metrics.registry ?? prom.register) as PromClient.Registry;
    const set = (this.set = metricSetOf(prom, registry));
    this.subscription = worker.events$.subscribe(guarded('metrics', (event) => this.on(event)));
    const waited = guarded('metrics', (task: ClaimedTask) => this.waited(task));
    runs.add((task, run) => {
      waited(task);
      return run();
    });
    this.source = () => this.counts(queue);
    set.sources.add(this.source);
  }

  /** The app is closing: its queues leave the gauge; the counts it made stay. */
  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    if (this.source) this.set?.sources.delete(this.source);
  }

  private on(event: WorkerEvent): void {
    const status = OUTCOMES[event.type];
    if (!status || !('task' in event) || !('durationMs' in event)) return;
    const labels = { queue: event.task.queue, task: event.task.name };
    this.set?.tasks.inc({ ...labels, status });
    this.set?.runSeconds.observe(labels, event.durationMs / 1000);
  }

  private waited(task: ClaimedTask): void {
    this.set?.waitSeconds.observe({ queue: task.queue, task: task.name }, task.waitedMs / 1000);
  }

  /**
   * Every queue of the prefix, in one read of the queue counts per scrape. Redis away: no
   * counts (logged), so that the scrape still serves the other metrics.
   */
  private async counts(queue: QueueService): Promise<QueueCounts[]> {
    try {
      return await queue.queues();
    } catch (error) {
      this.logger.warn(`could not read the queue counts for the gauge: ${String(error)}`);
      return [];
    }
  }
}
