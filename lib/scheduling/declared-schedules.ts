import { KeyBuilder } from '../broker/keys';
import { RedisConnections } from '../redis/redis-connections';
import { TaskScheduleOptions } from '../options/schedule.options';
import { PreparedSchedule, Schedules } from './schedules';

/**
 * The schedules this application declares with `@Task({ schedule })`, as Redis should hold
 * them. A worker checks on every pass of its trigger timer that their records are still there
 * (one round trip) and writes again those Redis lost: without that, a restart without
 * persistence, a FLUSHALL or a failover to a replica that missed the write would stop them
 * for good. Schedules added at run time with `queue.schedule()` are not known here.
 */
export class DeclaredSchedules {
  /**
   * Ids this worker has found in Redis. Only those count as lost when missing: before that,
   * registering them is the startup registrar's job, and a worker racing it would report a
   * loss on every first deployment.
   */
  private readonly seen = new Set<string>();

  private constructor(
    private readonly schedules: Schedules,
    private readonly connections: RedisConnections,
    private readonly keys: KeyBuilder,
    private readonly declared: PreparedSchedule[],
  ) {}

  /**
   * The declared schedules of `tasks`. One that cannot be prepared (its arguments do not
   * serialise) is left out and passed to `onInvalid`: the registrar reports it at startup too.
   */
  static of(
    tasks: { name: string; schedule?: TaskScheduleOptions }[],
    schedules: Schedules,
    connections: RedisConnections,
    keys: KeyBuilder,
    onInvalid: (error: Error) => void,
  ): DeclaredSchedules {
    const declared: PreparedSchedule[] = [];
    for (const task of tasks) {
      if (!task.schedule) continue;
      try {
        declared.push(schedules.prepare(task.name, task.schedule));
      } catch (error) {
        onInvalid(error as Error);
      }
    }
    return new DeclaredSchedules(schedules, connections, keys, declared);
  }

  /**
   * Writes again the declared schedules whose definition or next tick went missing from Redis
   * since this worker saw them; resolves with the ids this call wrote. Idempotent and safe with many workers: the schedule
   * script writes a missing schedule once, and the others find it there.
   */
  async restoreMissing(): Promise<string[]> {
    if (this.declared.length === 0) return [];
    const ids = this.declared.map(({ id }) => id);
    const redis = this.connections.command;
    // Sent together, answered in one round trip.
    const [due, definitions] = await this.connections.guard(() =>
      Promise.all([
        redis.zmscore(this.keys.family('scheduleDue'), ...ids),
        redis.hmget(this.keys.family('schedules'), ...ids),
      ]),
    );
    const restored: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (due[i] !== null && definitions[i] !== null) {
        this.seen.add(ids[i]);
        continue;
      }
      if (!this.seen.has(ids[i])) continue;
      if (await this.schedules.write(this.declared[i])) restored.push(ids[i]);
    }
    return restored;
  }
}
