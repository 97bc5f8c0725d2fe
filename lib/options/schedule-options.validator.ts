import { Cron } from 'croner';
import { InvalidOptionsError } from '../errors';
import { checkDuration, checkKnownKeys, checkObject, describe } from '../validation/checks';
import { CatchUpPolicy, Recurrence, TaskScheduleOptions } from './schedule.options';

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

/** `@Task({ schedule })`, checked when the class is defined: a bad cron fails at startup. */
export function validateTaskSchedule(raw: TaskScheduleOptions, field: string): TaskScheduleOptions {
  const options = checkObject(raw, field);
  checkKnownKeys(options, ['cron', 'tz', 'every', 'args', 'catchUp'], field);
  if (options.args !== undefined && !Array.isArray(options.args)) {
    throw new InvalidOptionsError(`${field}.args`, 'must be an array of the handler arguments');
  }
  return {
    ...validateRecurrence(raw, field),
    catchUp: validateCatchUp(options.catchUp, `${field}.catchUp`),
    ...(options.args === undefined ? {} : { args: options.args as unknown[] }),
  };
}

/** The recurrence's cron as croner reads it (UTC unless `tz` says otherwise). */
export function cronOf(recurrence: Recurrence): Cron {
  return new Cron(recurrence.cron as string, { paused: true, timezone: recurrence.tz ?? 'UTC' });
}
