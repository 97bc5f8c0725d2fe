import { randomUUID } from 'crypto';
import type { Redis } from 'ioredis';
import { Subject } from 'rxjs';
import { KeyBuilder } from '../broker/keys';
import { closeQuietly, RedisConnections } from '../redis/redis-connections';
import { computeBackoff } from './backoff';
import { DueTimer } from './due-timer';
import { Settler } from './settler';
import { TaskRunner } from './task-runner';
import { WorkerEvent } from './worker-event';

export interface ConsumerSettings {
  queues: string[];
  concurrency: number;
}

/** Alsek's consumer backoff after Redis errors: linear 1 s steps, floor 1 s, ceiling 30 s. */
const CONSUMER_BACKOFF = { type: 'linear', delay: 1000, floor: 1000, ceiling: 30_000 } as const;
const NUDGE_TTL_MS = 60_000;

/**
 * Claims tasks while slots are free and sleeps, without polling, when there is nothing to do:
 * a blocking pop on the queues' wake lists plus this loop's private nudge list, which the due
 * timer pushes to when a delayed task falls due and stop() pushes to on shutdown.
 */
export class ConsumerLoop {
  private readonly nudgeKey: string;
  private readonly dueTimer: DueTimer;
  private blocking?: Redis;
  private running = false;
  private loop?: Promise<void>;
  /** Resolves the loop's current pause (waiting for a slot, or backing off after an error). */
  private resume?: () => void;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly keys: KeyBuilder,
    private readonly settler: Settler,
    private readonly connections: RedisConnections,
    private readonly runner: TaskRunner,
    private readonly settings: ConsumerSettings,
    private readonly events: Subject<WorkerEvent>,
  ) {
    this.nudgeKey = keys.nudge(`worker:${randomUUID()}`);
    this.dueTimer = new DueTimer(() => this.nudgeQuietly());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.blocking ??= this.connections.createBlocking('consumer');
    this.loop = this.run();
  }

  /** A delayed task of one of our queues falls due in `inMs` (from any process). */
  scheduleWake(inMs: number): void {
    if (this.running) this.dueTimer.schedule(inMs);
  }

  /** Stops claiming; resolves when the loop has exited (in-flight runs go on). */
  async stopClaiming(): Promise<void> {
    if (!this.running) return this.loop;
    this.running = false;
    this.dueTimer.cancel();
    this.resume?.();
    await this.nudge().catch(() => this.blocking?.disconnect());
    await this.loop;
    if (this.blocking) await closeQuietly(this.blocking);
    this.blocking = undefined;
  }

  /** Resolves when every run has settled, or after `timeoutMs`; true when all settled. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>(
      (resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)),
    );
    const settled = Promise.all(this.inFlight).then(() => true as const);
    const drained = await Promise.race([settled, timedOut]);
    clearTimeout(timer);
    return drained;
  }

  /** Called by the runner as soon as a handler ends, before its outcome is written. */
  slotFreed(): void {
    this.resume?.();
  }

  private async run(): Promise<void> {
    let errors = 0;
    while (this.running) {
      const free = this.settings.concurrency - this.runner.size;
      if (free <= 0) {
        await this.pause();
        continue;
      }
      try {
        const batch = await this.settler.claim(free);
        errors = 0;
        for (const task of batch.tasks) this.track(this.runner.run(task));
        if (batch.nextDueIn !== undefined) this.dueTimer.schedule(batch.nextDueIn);
        if (batch.tasks.length < free) await this.waitForWork();
      } catch (error) {
        if (!this.running) break;
        // A blocked read cut off by a lost connection: ioredis reconnects, we try again.
        this.events.next({ type: 'worker.error', error: error as Error });
        await this.pause(computeBackoff(CONSUMER_BACKOFF, ++errors));
      }
    }
  }

  /** A run's slot frees when its handler ends; its promise settles once the outcome is written. */
  private track(run: Promise<void>): void {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Waits for resume() (a slot freed, or stop), or at most `ms` when given. */
  private pause(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.resume?.(), ms);
      this.resume = () => {
        clearTimeout(timer);
        this.resume = undefined;
        resolve();
      };
    });
  }

  /** Blocks until an enqueue or retry wakes us, the due timer fires, or stop(). */
  private async waitForWork(): Promise<void> {
    const wakeKeys = this.settings.queues.map((queue) => this.keys.queue(queue, 'wake'));
    const popped = await (this.blocking as Redis).blpop(this.nudgeKey, ...wakeKeys, 0);
    const wokenBy = popped?.[0];
    if (!this.running && wokenBy !== undefined && wokenBy !== this.nudgeKey) {
      // Stopping: that wake-up was meant for a worker that will claim; pass it on.
      await this.connections.command.lpush(wokenBy, '1').catch(() => undefined);
    }
  }

  private nudgeQuietly(): void {
    // The blocking read's own error path deals with an unreachable Redis.
    this.nudge().catch(() => undefined);
  }

  private async nudge(): Promise<void> {
    await this.connections.command
      .multi()
      .lpush(this.nudgeKey, '1')
      .pexpire(this.nudgeKey, NUDGE_TTL_MS)
      .exec();
  }
}
