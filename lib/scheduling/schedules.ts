import { Broker } from '../broker/broker';
import { InvalidOptionsError } from '../errors';
import { RedisConnections } from '../redis/redis-connections';
import { Serializer } from '../serialization/serializer';
import { TaskMessageBuilder } from '../messages/task-message.builder';
import { checkName, checkObject, checkTaskId } from '../validation/checks';
import { validateCatchUp, validateRecurrence } from '../options/schedule-options.validator';
import { firstTick } from './recurrence';
import { encodeSchedule, scheduledTask, scheduleId, StoredSchedule } from './schedule-definition';
import { ScheduleInfo } from '../options/schedule.options';
import { ScheduleOptions } from '../options/task.options';

/** A validated schedule, encoded as Redis stores it, with its id. */
export interface PreparedSchedule {
  id: string;
  encoded: string;
  stored: StoredSchedule;
}

const SCHEDULE_KEYS = ['cron', 'tz', 'every', 'args', 'catchUp', 'id'];

/** Registers, removes and lists schedules (the firing is TriggerScheduler's, in workers). */
export class Schedules {
  constructor(
    private readonly broker: Broker,
    private readonly connections: RedisConnections,
    private readonly builder: TaskMessageBuilder,
    private readonly serializer: Serializer,
  ) {}

  /** Adds (or, for an id whose definition changed, replaces) a schedule; returns its id. */
  async register(task: string, raw: ScheduleOptions): Promise<ScheduleInfo> {
    await this.builder.lookUp([task]);
    const prepared = this.prepare(task, raw);
    const next = firstTick(prepared.stored.recurrence, Date.now());
    await this.broker.schedule(prepared.id, prepared.encoded, next);
    // Registered again unchanged, it keeps its next tick: read that one, not ours.
    const due = await this.connections.guard(() =>
      this.connections.command.zscore(this.broker.keys.family('scheduleDue'), prepared.id),
    );
    return this.info(prepared.id, prepared.stored, due === null ? next : Number(due));
  }

  /**
   * Validates a schedule and builds what Redis stores for it, writing nothing: the task
   * options and arguments are checked as an enqueue would check them (a local @Task's
   * options apply as they do to an enqueue).
   */
  prepare(task: string, raw: ScheduleOptions): PreparedSchedule {
    const options = checkObject(raw, 'schedule') as ScheduleOptions;
    const recurrence = validateRecurrence(
      { cron: options.cron, tz: options.tz, every: options.every },
      'schedule',
    );
    const catchUp = validateCatchUp(options.catchUp, 'catchUp');
    const taskOptions = Object.fromEntries(
      Object.entries(options).filter(([key]) => !SCHEDULE_KEYS.includes(key)),
    );
    if (taskOptions.debounce !== undefined) {
      throw new InvalidOptionsError(
        'debounce',
        'does not apply to a schedule: each tick enqueues a task of its own; debounce the ' +
          'enqueues that your own code makes',
      );
    }
    const message = this.builder.build(checkName(task, 'task'), options.args ?? [], taskOptions);
    // A schedule of a task whose catalog entry Redis did not give cannot be written anyway.
    if (message.unrouted) throw message.unrouted;
    const stored: StoredSchedule = { recurrence, catchUp, task: scheduledTask(message) };
    const encoded = encodeSchedule(stored);
    const id = options.id === undefined ? scheduleId(encoded) : checkTaskId(options.id, 'id');
    if (id.includes('@')) throw new InvalidOptionsError('id', 'must not contain "@"');
    return { id, encoded, stored };
  }

  /**
   * Writes a prepared schedule unless Redis holds it already, unchanged; true when this call
   * wrote it (added, changed, or restored after its records were lost).
   */
  write(prepared: PreparedSchedule): Promise<boolean> {
    const next = firstTick(prepared.stored.recurrence, Date.now());
    return this.broker.schedule(prepared.id, prepared.encoded, next);
  }

  /** Removes a schedule (its tasks already enqueued stay); false when there was none. */
  async unregister(id: string): Promise<boolean> {
    return this.broker.unschedule(checkTaskId(id, 'id'));
  }

  /** Every registered schedule, soonest first. */
  async list(): Promise<ScheduleInfo[]> {
    const redis = this.connections.command;
    const keys = this.broker.keys;
    const [due, stored] = await this.connections.guard(() =>
      Promise.all([
        redis.zrange(keys.family('scheduleDue'), 0, -1, 'WITHSCORES'),
        redis.hgetall(keys.family('schedules')),
      ]),
    );
    const result: ScheduleInfo[] = [];
    for (let i = 0; i < due.length; i += 2) {
      const encoded = stored[due[i]];
      if (encoded) result.push(this.info(due[i], JSON.parse(encoded), Number(due[i + 1])));
    }
    return result;
  }

  private info(id: string, stored: StoredSchedule, next: number): ScheduleInfo {
    const { cron, tz, every } = stored.recurrence;
    return {
      id,
      task: stored.task.name,
      queue: stored.task.queue,
      args: this.serializer.deserialize(stored.task.args) as unknown[],
      catchUp: stored.catchUp,
      ...(cron !== undefined ? { cron } : {}),
      ...(tz !== undefined ? { tz } : {}),
      ...(every !== undefined ? { every } : {}),
      nextRunAt: new Date(next),
    };
  }
}
