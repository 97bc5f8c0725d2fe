/**
 * When a schedule fires: a cron expression (5 fields, or 6 with seconds first) in a time
 * zone, or a fixed interval. Exactly one of `cron` and `every`.
 */
export interface Recurrence {
  /** e.g. `'*\/5 * * * *'` (every 5 minutes) or `'0 0 9 * * 1-5'` (9:00:00 on weekdays). */
  cron?: string;
  /** IANA time zone of the cron expression, e.g. `'Europe/Paris'`. Default: UTC. */
  tz?: string;
  /** Fire every this many ms (at least 100), counted from the registration. */
  every?: number;
}

/**
 * Ticks missed while no worker ran (a later tick has passed too): `'once'` fires one task for
 * all of them as soon as a worker is back, `'skip'` drops them and waits for the next tick.
 */
export type CatchUpPolicy = 'once' | 'skip';

/** A schedule declared on a handler: `@Task({ schedule: { cron: '0 * * * *' } })`. */
export interface TaskScheduleOptions extends Recurrence {
  /** Arguments of every enqueued task. Default `[]`. */
  args?: unknown[];
  /** Default `'once'`. */
  catchUp?: CatchUpPolicy;
}

/** A registered schedule, as `queue.schedules()` lists it. */
export interface ScheduleInfo extends Recurrence {
  id: string;
  task: string;
  queue: string;
  args: unknown[];
  catchUp: CatchUpPolicy;
  /** When it fires next (a worker must be running to fire it). */
  nextRunAt: Date;
}
