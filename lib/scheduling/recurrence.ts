import { Recurrence } from '../options/schedule.options';
import { cronOf } from '../options/schedule-options.validator';

/** The first tick strictly after `after` (epoch ms) for a new schedule. */
export function firstTick(recurrence: Recurrence, after: number): number {
  if (recurrence.every !== undefined) return after + recurrence.every;
  return nextCronRun(recurrence, after);
}

/**
 * The tick after `tick`, and the first one after `now` (the same unless ticks were missed):
 * an interval keeps its phase, a cron expression asks croner.
 */
export function ticksAfter(
  recurrence: Recurrence,
  tick: number,
  now: number,
): { following: number; upcoming: number } {
  if (recurrence.every !== undefined) {
    const every = recurrence.every;
    const upcoming = tick + every * (Math.max(0, Math.floor((now - tick) / every)) + 1);
    return { following: tick + every, upcoming };
  }
  const following = nextCronRun(recurrence, tick);
  return { following, upcoming: following > now ? following : nextCronRun(recurrence, now) };
}

function nextCronRun(recurrence: Recurrence, after: number): number {
  const next = cronOf(recurrence).nextRun(new Date(after));
  // validateRecurrence refused expressions that never fire; one that stops (a year field
  // in the past) parks the schedule far away rather than firing again.
  return next ? next.getTime() : Number.MAX_SAFE_INTEGER;
}
