import { Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import { Broker } from '../broker/broker';
import { RedisConnections } from '../redis/redis-connections';
import { WorkerEvent } from '../core/worker-event';
import { DeclaredSchedules } from './declared-schedules';
import { ticksAfter } from './recurrence';
import { StoredSchedule, tickTask, tickTaskId } from './schedule-definition';

/** Due schedules handled per pass; more wait for the next pass, a moment later. */
const BATCH = 100;

/**
 * Fires due schedules, in every worker: a timer wakes it at the earliest next tick (and at
 * least every `recheckMs`, to learn about schedules other processes added); for each due
 * schedule it works out the following tick and asks the broker to fire it. Only a worker that
 * names the tick the schedule is due at moves it on, and the tick's task has an id of its own
 * (`<schedule id>@<tick>`) that one record at most can hold, so however many workers race, each
 * tick enqueues one task (in the 'queue' layout, in two steps: see Broker.fireSchedule).
 *
 * Each pass first checks that this app's declared schedules are still in Redis and writes
 * again those it lost (see DeclaredSchedules): found within `recheckMs` of the loss, at once
 * after a reconnect (the worker wakes the scheduler then).
 */
export class TriggerScheduler {
  private readonly logger = new Logger('taskmill:TriggerScheduler');
  private timer?: NodeJS.Timeout;
  private running = false;
  private pass?: Promise<void>;
  private again = false;

  constructor(
    private readonly broker: Broker,
    private readonly connections: RedisConnections,
    private readonly recheckMs: number,
    private readonly events: Subject<WorkerEvent>,
    private readonly declared?: DeclaredSchedules,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.pass;
  }

  /** A schedule was added or changed somewhere: look again now. */
  wake(): void {
    if (!this.running) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.pass = this.fireDue()
      .catch((error: Error) => {
        this.events.next({ type: 'worker.error', error });
        return this.recheckMs;
      })
      .then((waitMs) => {
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          return this.wake();
        }
        if (!this.running) return;
        this.timer = setTimeout(() => this.wake(), Math.min(waitMs, this.recheckMs));
        this.timer.unref();
      });
  }

  /** Fires what is due; resolves with the ms until the earliest next tick. */
  private async fireDue(): Promise<number> {
    await this.restoreDeclared();
    const redis = this.connections.command;
    const keys = this.broker.keys;
    const now = Date.now();
    const due = await this.connections.guard(() =>
      redis.zrangebyscore(keys.family('scheduleDue'), '-inf', now, 'WITHSCORES', 'LIMIT', 0, BATCH),
    );
    if (due.length > 0) {
      const ids = due.filter((_, i) => i % 2 === 0);
      const definitions = await this.connections.guard(() =>
        redis.hmget(keys.family('schedules'), ...ids),
      );
      for (let i = 0; i < ids.length; i++) {
        const encoded = definitions[i];
        if (encoded) await this.fire(ids[i], Number(due[i * 2 + 1]), JSON.parse(encoded), now);
      }
      if (due.length === BATCH * 2) return 0;
    }
    const [, earliest] = await this.connections.guard(() =>
      redis.zrange(keys.family('scheduleDue'), 0, 0, 'WITHSCORES'),
    );
    return earliest === undefined ? this.recheckMs : Math.max(0, Number(earliest) - Date.now());
  }

  private async restoreDeclared(): Promise<void> {
    const restored = (await this.declared?.restoreMissing()) ?? [];
    if (restored.length === 0) return;
    this.logger.warn(
      `declared schedules ${restored.join(', ')} were missing from Redis (its data was lost: ` +
        'a restart without persistence, FLUSHALL or a failover?): written again, they fire ' +
        'from their next tick on',
    );
    this.events.next({ type: 'schedules.restored', schedules: restored });
  }

  /**
   * One due tick. When a later tick has passed too, the schedule missed ticks (no worker ran):
   * catchUp 'once' fires this one for all of them, 'skip' drops them; either way the schedule
   * moves on to the first tick still ahead, never to a burst of the missed ones.
   */
  private async fire(id: string, tick: number, stored: StoredSchedule, now: number): Promise<void> {
    const { following, upcoming } = ticksAfter(stored.recurrence, tick, now);
    const missed = following <= now;
    const enqueue = !missed || stored.catchUp === 'once';
    const task = enqueue ? tickTask(id, tick, stored.task, this.broker.router) : undefined;
    const fired = await this.broker.fireSchedule(id, tick, upcoming, task);
    if (fired === 'fired') {
      this.events.next({ type: 'schedule.fired', schedule: id, taskId: tickTaskId(id, tick) });
    }
  }
}
