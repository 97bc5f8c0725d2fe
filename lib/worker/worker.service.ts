import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { handlerNames } from '../broker/handler-names';
import { merge, Observable, Subject } from 'rxjs';
import { ClaimAnswer } from './settler';
import { Broker } from '../broker/broker';
import { RESOLVED_OPTIONS } from '../constants';
import { TaskRegistry } from '../discovery/task.registry';
import { HookInvoker } from '../hooks/hook-invoker';
import { ResolvedModuleOptions } from '../options/module.options';
import { RedisConnections } from '../redis/redis-connections';
import { CHILD_TASKS, ChildTasks } from './child-tasks';
import { HANDLER_POOLS, HandlerPools } from './handler-pools';
import { isPoolMember } from '../core/pool-member';
import { ConsumerLoop } from './consumer-loop';
import { IntegrityScanner } from './integrity-scanner';
import { DeclaredSchedules } from '../scheduling/declared-schedules';
import { Schedules } from '../scheduling/schedules';
import { TriggerScheduler } from '../scheduling/trigger-scheduler';
import { LeaseKeeper } from './lease-keeper';
import { ProgressWriter } from './progress-writer';
import { RunHooks } from './run-hooks';
import { RunWrappers } from './run-wrappers';
import { Settler } from './settler';
import { TaskRunner } from './task-runner';
import { WorkerEvent } from '../core/worker-event';
import { WorkerLog } from './worker-log';
import { WorkerSignals } from './worker-signals';
import { QueueConsumers } from '../catalog/queue-consumers';
import { UnconsumedQueues } from '../catalog/unconsumed-queues';

/**
 * Runs this application's @Task handlers: started on application bootstrap (unless
 * `worker.enabled` is false), stopped gracefully when the application shuts down.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly subject = new Subject<WorkerEvent>();
  private readonly log: WorkerLog;
  private parts?: {
    settler: Settler;
    loop: ConsumerLoop;
    scanner: IntegrityScanner;
    triggers: TriggerScheduler;
    leases: LeaseKeeper;
    signals: WorkerSignals;
    runner: TaskRunner;
    progress: ProgressWriter;
    /** Stops marking this worker's queues as consumed (QueueConsumers.beacon). */
    endBeacon: () => void;
  };
  private stopping?: Promise<void>;
  /** Counts stop() calls: a start() waiting for a stop gives way to a stop() made after it. */
  private stops = 0;

  /**
   * This process's tasks as they start, succeed, fail, retry, the worker's own life, and
   * hooks that threw (submit hooks included, so producer-only apps see them too).
   */
  readonly events$: Observable<WorkerEvent>;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedModuleOptions,
    private readonly registry: TaskRegistry,
    private readonly broker: Broker,
    private readonly connections: RedisConnections,
    @Inject(CHILD_TASKS) private readonly children: ChildTasks,
    private readonly hooks: HookInvoker,
    private readonly schedules: Schedules,
    private readonly consumers: QueueConsumers,
    unconsumed: UnconsumedQueues,
    private readonly wrappers: RunWrappers,
    @Inject(HANDLER_POOLS) private readonly pools: HandlerPools,
  ) {
    this.events$ = merge(this.subject, hooks.failed$, unconsumed.warnings$);
    this.log = new WorkerLog(options.logging, options.worker.concurrency);
    this.subject.subscribe((event) => this.log.on(event));
  }

  async onApplicationBootstrap(): Promise<void> {
    // A pool member only runs handlers for the worker that started it (see lib/pool).
    if (this.options.worker.enabled && !isPoolMember()) await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** True between start() and stop(): the worker is claiming and running tasks. */
  get running(): boolean {
    return this.parts !== undefined;
  }

  /** The queues this worker consumes: `worker.queues`, else every queue of a local @Task. */
  queues(): string[] {
    if (this.options.worker.queues) return this.options.worker.queues;
    const queues = this.registry
      .all()
      .map((task) => task.options.queue ?? this.options.defaults.queue);
    return [...new Set(queues)];
  }

  /**
   * Stores the rate limit (or none) of each @Task this worker has, where every claim reads it.
   * A failure (Redis away at startup) is reported and the worker starts all the same: the
   * limits stored before apply meanwhile, and the next start stores them.
   */
  private async declareTaskLimits(): Promise<void> {
    const tasks = this.registry.all().map(({ name, options, rateLimit }) => ({
      name,
      queue: options.queue ?? this.options.defaults.queue,
      rateLimit,
    }));
    await this.broker.flow
      .declareTasks(tasks)
      .catch((error: unknown) =>
        this.subject.next({ type: 'worker.error', error: error as Error }),
      );
  }

  /** Starts consuming; idempotent. */
  async start(): Promise<void> {
    if (this.parts) return;
    const stops = this.stops;
    await this.stopping;
    // Checked again after the await: two concurrent start() calls must build one worker, and
    // a stop() called while this start() waited for the previous stop wins (the last call).
    if (this.parts || this.stops !== stops) return;
    const queues = this.queues();
    if (queues.length === 0) {
      this.log.write('log', 'no @Task handlers in this application: the worker stays idle');
      return;
    }
    // Thread and process members boot first: a bad pool setup fails the start (PoolSetupError).
    await this.pools.start(this.registry.all(), (error) =>
      this.subject.next({ type: 'worker.error', error }),
    );
    if (this.parts) return;
    // Stopped while the members booted: they are this start's to end.
    if (this.stops !== stops) return this.pools.close();
    const { concurrency, leaseMs } = this.options.worker;
    // The pipeline runs one way: the loop asks the settler for tasks and hands them to the
    // runner; the settler's answers and the runner's freed slots come back as streams.
    const answers = new Subject<ClaimAnswer>();
    const slotsFreed = new Subject<void>();
    const handlers = handlerNames(this.registry.all().map((task) => task.name));
    const settler = new Settler(
      this.broker,
      // A task this app has no handler for waits for a worker that has one (a rolling deploy).
      { queues, leaseMs, handlers },
      concurrency,
      {
        stallMs: 2 * this.options.commandTimeoutMs,
        reopen: () => this.connections.reopenCommand(),
        closes: () => this.connections.commandCloses,
      },
      answers,
      this.options.worker.queueOrder,
    );
    const progress = new ProgressWriter(this.broker, this.subject);
    const runner = new TaskRunner(
      this.registry,
      this.broker,
      settler,
      this.options.serializer,
      this.subject,
      this.children,
      new RunHooks(this.hooks),
      progress,
      slotsFreed,
      this.pools,
    );
    const loop = new ConsumerLoop(
      this.broker.router,
      settler,
      this.connections,
      runner,
      this.wrappers,
      { queues, concurrency, blockingTimeoutMs: this.options.blockingTimeoutMs },
      this.subject,
      answers,
      slotsFreed,
    );
    const triggers = new TriggerScheduler(
      this.broker,
      this.connections,
      this.options.blockingTimeoutMs,
      this.subject,
      this.declaredSchedules(),
    );
    // Before the first claim: producers asking whether the queues have a worker, and one with
    // the handler of a name, hear yes.
    const endBeacon = this.consumers.beacon(queues, handlers.names);
    const parts = {
      settler,
      endBeacon,
      progress,
      triggers,
      runner,
      loop,
      leases: new LeaseKeeper(
        this.broker,
        runner,
        { leaseMs, queues, maxReclaims: this.options.worker.maxReclaims },
        this.subject,
      ),
      scanner: new IntegrityScanner(this.broker, this.options.worker.integrityScanMs, this.subject),
      signals: new WorkerSignals(
        this.connections,
        this.broker.keys,
        runner,
        loop,
        queues,
        () => triggers.wake(),
        this.options.blockingTimeoutMs,
        () => this.resubscribed(),
      ),
    };
    this.parts = parts;
    runner.onEarlyCancel = () => void parts.leases.renewAll();
    this.connections.command.on('ready', this.redisBack);
    const subscribed = parts.signals.start((error) =>
      this.subject.next({ type: 'worker.error', error }),
    );
    parts.leases.start();
    parts.scanner.start();
    parts.triggers.start();
    // The task rate limits are stored before the first claim, while the subscriptions started
    // above (cancels, schedules) connect.
    await this.declareTaskLimits();
    if (this.parts !== parts) return;
    // The first claim waits for the cancel subscription (WorkerSignals.start): a task claimed
    // before it was live could miss its cancel. Not awaited: a start never waits on Redis.
    // The schedules are read again then too: one added before the subscription to their
    // changes was live would otherwise wait for the next recheck (blockingTimeoutMs).
    void subscribed.then(() => {
      if (this.parts !== parts) return;
      parts.triggers.wake();
      parts.loop.start();
    });
    this.subject.next({ type: 'worker.started', queues });
  }

  /**
   * The command connection is back after an outage: write buffered outcomes and progress,
   * claim again, and check now that the declared schedules survived (a restart may have
   * emptied Redis).
   */
  private readonly redisBack = (): void => {
    this.log.redisBack();
    this.parts?.settler.retryNow();
    this.parts?.progress.retryNow();
    this.parts?.loop.resumeNow();
    this.parts?.triggers.wake();
  };

  /**
   * The signals' subscriptions are live again after their connection dropped: a cancel
   * published meanwhile reached no one, so the runs' cancel flags are read now (a lease
   * renewal reads them), and the schedules too.
   */
  private resubscribed(): void {
    void this.parts?.leases.renewAll();
    this.parts?.triggers.wake();
  }

  private declaredSchedules(): DeclaredSchedules {
    return DeclaredSchedules.of(
      this.registry.all(),
      this.schedules,
      this.connections,
      this.broker.keys,
      (error) => this.subject.next({ type: 'worker.error', error }),
    );
  }

  /**
   * Stops claiming, lets in-flight tasks finish for up to `shutdownTimeoutMs`, then hands the
   * rest back to their queue. Nothing is lost; idempotent.
   */
  stop(): Promise<void> {
    this.stops++;
    const parts = this.parts;
    if (!parts) return this.stopping ?? Promise.resolve();
    this.parts = undefined;
    this.stopping = (async () => {
      try {
        const deadline = performance.now() + this.options.worker.shutdownTimeoutMs;
        await parts.triggers.stop();
        await parts.loop.stopClaiming(deadline);
        const drained = await parts.loop.drain(deadline);
        parts.settler.close();
        if (!drained) await parts.runner.releaseAll();
      } catch (error) {
        // Never rejects: Nest would skip the remaining shutdown hooks (connections left open)
        // and a later start() would fail on it. What could not be handed back is swept.
        this.subject.next({ type: 'worker.error', error: error as Error });
      } finally {
        this.connections.command.off('ready', this.redisBack);
        // Even when handing back failed (Redis gone): stop renewing, unsubscribe, report.
        parts.leases.stop();
        parts.scanner.stop();
        parts.endBeacon();
        await parts.signals.stop();
        // Last: the runs still in members were drained or handed back above.
        await this.pools.close();
        this.subject.next({ type: 'worker.stopped' });
      }
    })();
    return this.stopping;
  }
}
