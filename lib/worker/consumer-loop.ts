import { randomUUID } from 'crypto';
import { Observable, Subject } from 'rxjs';
import { ClaimedTask } from '../broker/claimed-task';
import { SlotGroup, TaskRouter } from '../broker/task-router';
import { Bells } from '../redis/bells';
import { BlockingReader, STALL_GRACE_MS } from '../redis/blocking-reader';
import { RedisConnections } from '../redis/redis-connections';
import { computeBackoff } from './backoff';
import { DueTimer } from './due-timer';
import { ClaimAnswer, Settler } from './settler';
import { RunWrappers } from './run-wrappers';
import { TaskRunner } from './task-runner';
import { WorkerEvent } from '../core/worker-event';

export interface ConsumerSettings {
  queues: string[];
  concurrency: number;
  /** An idle worker claims at least this often, even when no wake-up came. */
  blockingTimeoutMs: number;
}

/** Alsek's consumer backoff after Redis errors: linear 1 s steps, floor 1 s, ceiling 30 s. */
const CONSUMER_BACKOFF = { type: 'linear', delay: 1000, floor: 1000, ceiling: 30_000 } as const;

/**
 * Keeps every slot busy: asks for as many tasks as there are free slots (without waiting for
 * earlier claims to come back), and when the queues run dry sleeps, without polling, on a
 * blocking pop of the queues' wake lists plus a private nudge list that the due timer pushes to
 * when a delayed task falls due and stop() pushes to on shutdown. The read gives up after
 * `blockingTimeoutMs` and the worker tries a claim anyway, so a wake-up lost with a dropped
 * connection delays work by that much at most.
 */
export class ConsumerLoop {
  private readonly nudgeKey: string;
  private readonly dueTimer: DueTimer;
  private readonly blocking: BlockingReader;
  /** On Redis Cluster: doorbells instead of a blocking pop (which covers one slot only). */
  private readonly bells?: Bells;
  private running = false;
  /** Slots asked for whose claim has not come back yet. */
  private claiming = 0;
  private claimsAnswered?: () => void;
  /** Stopped without waiting for a claim any longer: its tasks, if they come, are not run. */
  private abandoned = false;
  /** The blocking read while the queues are dry. */
  private sleeping?: Promise<void>;
  private backoff?: NodeJS.Timeout;
  private errors = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** Set while the tasks of a claim's answer start: slots are counted after, not during. */
  private dispatching = false;

  constructor(
    private readonly router: TaskRouter,
    private readonly settler: Settler,
    private readonly connections: RedisConnections,
    private readonly runner: TaskRunner,
    /** Metrics and telemetry around each run; empty unless switched on. */
    private readonly wrappers: RunWrappers,
    private readonly settings: ConsumerSettings,
    private readonly events: Subject<WorkerEvent>,
    /** The settler's answers to this loop's claims. */
    answers: Observable<ClaimAnswer>,
    /** The runner's word that a handler ended: its slot is free before its outcome is written. */
    slotsFreed: Observable<void>,
  ) {
    answers.subscribe((answer) =>
      'error' in answer
        ? this.claimFailed(answer.requested, answer.error)
        : this.claimed(answer.tasks, answer.requested, answer.nextDueIn),
    );
    slotsFreed.subscribe(() => this.pump());
    const workerId = randomUUID();
    this.nudgeKey = router.keys.nudge(`worker:${workerId}`);
    this.blocking = new BlockingReader(
      connections,
      `consumer:${workerId}`,
      settings.blockingTimeoutMs,
      this.nudgeKey,
      (multi) => multi.lpush(this.nudgeKey, '1'),
    );
    // One slot ('prefix' layout): a blocking pop covers every queue, on Cluster too.
    if (connections.onCluster && router.spread) {
      this.bells = new Bells(connections, router.keys.family('wakeBell'), `bells:${workerId}`);
    }
    this.dueTimer = new DueTimer(() => void this.wake());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.pump();
  }

  /** A delayed task of one of our queues falls due in `inMs` (from any process). */
  scheduleWake(inMs: number): void {
    if (this.running) this.dueTimer.schedule(inMs);
  }

  /**
   * Stops claiming; resolves once no claim is outstanding (in-flight runs go on), or at
   * `deadline` (performance.now() ms): a claim sent into an outage may not be answered until
   * Redis is back. Tasks of a claim answered after that are not run: nobody renews their
   * lease, so the lease sweep hands them to another worker (nothing is lost).
   */
  async stopClaiming(deadline: number): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.dueTimer.cancel();
    clearTimeout(this.backoff);
    this.backoff = undefined;
    if (this.sleeping) await this.wake();
    await this.sleeping;
    if (this.claiming > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.claimsAnswered = resolve;
        timer = setTimeout(resolve, msUntil(deadline));
      });
      clearTimeout(timer);
      if (this.claiming > 0) this.abandoned = true;
    }
    await this.blocking.close();
    await this.bells?.close();
  }

  /** Resolves when every run has settled, or at `deadline`; true when all settled. */
  async drain(deadline: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>(
      (resolve) => (timer = setTimeout(() => resolve(false), msUntil(deadline))),
    );
    const settled = Promise.all(this.inFlight).then(() => true as const);
    const drained = await Promise.race([settled, timedOut]);
    clearTimeout(timer);
    return drained;
  }

  /** Redis answers again after an outage: claim now instead of at the end of the backoff. */
  resumeNow(): void {
    if (!this.backoff) return;
    clearTimeout(this.backoff);
    this.backoff = undefined;
    this.errors = 0;
    this.pump();
  }

  private claimed(tasks: ClaimedTask[], requested: number, nextDueIn: number | undefined): void {
    this.answered(requested);
    this.errors = 0;
    if (this.abandoned) return;
    // Claimed tasks are ours even when stopping: they run, or are handed back on shutdown.
    // A run may free a slot as it starts (a task joining a batch lends its own): the slots are
    // counted once every task of this answer is running, not halfway.
    this.dispatching = true;
    try {
      for (const task of tasks) {
        this.track(
          this.wrappers.empty
            ? this.runner.run(task)
            : this.wrappers.run(task, () => this.runner.run(task)),
        );
      }
    } finally {
      this.dispatching = false;
    }
    if (nextDueIn !== undefined && this.running) this.dueTimer.schedule(nextDueIn);
    if (tasks.length < requested) {
      this.startBatches();
      this.sleep();
    } else this.pump();
  }

  private claimFailed(requested: number, error: unknown): void {
    this.answered(requested);
    if (!this.running) return;
    this.events.next({ type: 'worker.error', error: error as Error });
    this.backOff();
  }

  /**
   * Starts the batches that are ready (even while stopping: their tasks are claimed, and a
   * drain waits for them), then claims for every free slot not already asked for, unless
   * asleep or backing off.
   */
  private pump(): void {
    const free = this.startBatches();
    if (!this.running || this.sleeping || this.backoff || free <= 0) return;
    this.claiming += free;
    this.settler.claim(free);
  }

  /** Starts the ready batches that free slots allow; returns the slots still free. */
  private startBatches(): number {
    if (this.dispatching) return 0;
    const free = this.settings.concurrency - this.runner.size - this.claiming;
    return free > 0 ? free - this.runner.startBatches(free) : free;
  }

  private answered(requested: number): void {
    this.claiming -= requested;
    if (this.claiming === 0) this.claimsAnswered?.();
  }

  private backOff(): void {
    clearTimeout(this.backoff);
    this.backoff = setTimeout(
      () => {
        this.backoff = undefined;
        this.pump();
      },
      computeBackoff(CONSUMER_BACKOFF, ++this.errors),
    );
  }

  /** A run's slot frees when its handler ends; its promise settles once the outcome is written. */
  private track(run: Promise<void>): void {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** The queues ran dry: block until an enqueue or retry wakes us, the due timer, or stop(). */
  private sleep(): void {
    if (!this.running || this.sleeping) return;
    this.sleeping = this.waitForWork().then(
      () => {
        this.sleeping = undefined;
        this.pump();
      },
      (error: unknown) => {
        this.sleeping = undefined;
        if (!this.running) return;
        // A blocked read cut off by a lost connection: ioredis reconnects, we try again.
        this.events.next({ type: 'worker.error', error: error as Error });
        this.backOff();
      },
    );
  }

  private async waitForWork(): Promise<void> {
    if (this.bells) return this.waitForBell(this.bells);
    const wakeKeys = this.router
      .groups(this.settings.queues)
      .flatMap(({ slot, queues }) => queues.map((queue) => slot.queue(queue, 'wake')));
    const popped = await this.blocking.read((redis, timeoutMs) =>
      redis.blpop(this.nudgeKey, ...wakeKeys, timeoutMs / 1000),
    );
    const wokenBy = popped?.[0];
    if (!this.running && wokenBy !== undefined && wokenBy !== this.nudgeKey) {
      // Stopping: that wake-up was meant for a worker that will claim; pass it on.
      await this.connections.command.lpush(wokenBy, '1').catch(() => undefined);
    }
  }

  /**
   * Cluster: arms the wake bell of every slot of our queues, then sleeps until one rings, unless
   * work came in between the last claim and the arming (then claims at once).
   */
  private async waitForBell(bells: Bells): Promise<void> {
    const groups = this.router.groups(this.settings.queues);
    const timeoutMs = this.settings.blockingTimeoutMs;
    await bells.arm(
      groups.map(({ slot }) => slot.bell('wakeBell')),
      timeoutMs + STALL_GRACE_MS,
    );
    if (await this.workWaiting(groups)) return;
    await bells.wait(new Set(groups.map(({ slot }) => slot.base)), timeoutMs);
  }

  /**
   * Whether a queue that is neither paused nor at its limits (a claim marks that, see
   * includes/claim.lua) has ready tasks (one read per queue and slot).
   */
  private async workWaiting(groups: SlotGroup[]): Promise<boolean> {
    const redis = this.connections.command;
    const ready = await Promise.all(
      groups.flatMap(({ slot, queues }) =>
        queues.map(async (queue) => {
          const [priorities, idle] = await Promise.all([
            redis.zcard(slot.queue(queue, 'priorities')),
            redis.exists(slot.queue(queue, 'paused'), slot.queue(queue, 'limited')),
          ]);
          return priorities > 0 && idle === 0;
        }),
      ),
    );
    return ready.includes(true);
  }

  /** Ends the blocking read or the wait on bells (the due timer, or stop()). */
  private wake(): Promise<void> {
    if (this.bells) {
      this.bells.wake();
      return Promise.resolve();
    }
    return this.blocking.wake();
  }
}

/** Ms from now to `deadline` (a performance.now() time), 0 once it passed. */
function msUntil(deadline: number): number {
  return Math.max(0, deadline - performance.now());
}
