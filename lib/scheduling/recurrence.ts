import { Cron } from 'croner';
import { InvalidOptionsError } from '../errors';
import { checkDuration, checkObject, describe } from '../validation/checks';
import { CatchUpPolicy, Recurrence } from './schedule.options';

const CATCH_UP_POLICIES: readonly CatchUpPolicy[] = ['once', 'skip'];

/**
 * Validates a recurrence now (at startup, or before anything is written): a cron expression
 * or time zone croner cannot use fails with InvalidOptionsError naming the field.
 */
export function validateRecurrence(raw: Recurrence, field: string): Recurrence {
  const options = checkObject(raw, field);
  const has = (key: string) => options[key] !== undefined;
  if (has('cron') === has('every')) {
    throw new InvalidOptionsError(field, 'needs exactly one of cron and every');
  }
  if (has('every')) {
    if (has('tz')) throw new InvalidOptionsError(`${field}.tz`, 'only applies to cron');
    return { every: checkDuration(options.every, `${field}.every`, { min: 100 }) };
  }
  if (typeof options.cron !== 'string') {
    throw new InvalidOptionsError(
      `${field}.cron`,
      `must be a string, got ${describe(options.cron)}`,
    );
  }
  if (has('tz') && typeof options.tz !== 'string') {
    throw new InvalidOptionsError(`${field}.tz`, `must be a string, got ${describe(options.tz)}`);
  }
  const recurrence: Recurrence = {
    cron: options.cron,
    ...(has('tz') ? { tz: options.tz as string } : {}),
  };
  try {
    if (!cronOf(recurrence).nextRun()) throw new Error('it never fires');
  } catch (error) {
    const bad = has('tz') && /timezone/i.test((error as Error).message) ? 'tz' : 'cron';
    throw new InvalidOptionsError(
      `${field}.${bad}`,
      `${JSON.stringify(options[bad])} is not usable: ${(error as Error).message}`,
    );
  }
  return recurrence;
}

export function validateCatchUp(value: unknown, field: string): CatchUpPolicy {
  if (value === undefined) return 'once';
  if (!CATCH_UP_POLICIES.includes(value as CatchUpPolicy)) {
    throw new InvalidOptionsError(field, `must be 'once' or 'skip', got ${describe(value)}`);
  }
  return value as CatchUpPolicy;
}

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

function cronOf(recurrence: Recurrence): Cron {
  return new Cron(recurrence.cron as string, { paused: true, timezone: recurrence.tz ?? 'UTC' });
}
