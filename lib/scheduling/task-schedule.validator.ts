import { InvalidOptionsError } from '../errors';
import { checkKnownKeys, checkObject } from '../validation/checks';
import { validateCatchUp, validateRecurrence } from './recurrence';
import { TaskScheduleOptions } from './schedule.options';

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
