import { TASK_METADATA } from '../constants';
import {
  checkMechanism,
  DECORATOR_ONLY_KEYS,
  validateTaskOptions,
} from '../options/task-options.validator';
import { TaskDecoratorOptions, TaskGates, TaskMechanism } from '../options/task.options';
import { validateGates } from '../options/gates.validator';
import { validateTaskSchedule } from '../options/schedule-options.validator';
import { TaskScheduleOptions } from '../options/schedule.options';
import { checkName } from '../validation/checks';
import { RateLimit, validateRateLimit } from '../options/rate-limit';
import { BatchOptions, validateBatch } from '../options/batch.options';

/** What @Task() records on a method, already validated. */
export interface TaskMetadata {
  name: string;
  options: ReturnType<typeof validateTaskOptions>;
  schedule?: TaskScheduleOptions;
  gates?: TaskGates;
  rateLimit?: RateLimit;
  /** Absent: 'async'. */
  mechanism?: TaskMechanism;
  batch?: BatchOptions;
}

/**
 * Marks a provider method as the handler of a task. The name defaults to
 * `ClassName.methodName`; options override the module's `defaults`.
 *
 * @example
 * ＠Task({ name: 'email.send', queue: 'emails', retries: 5 })
 * async send(to: string, body: string) { ... }
 */
export function Task(nameOrOptions: string | TaskDecoratorOptions = {}): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
    const where = `@Task(${target.constructor.name}.${String(propertyKey)})`;
    const {
      name,
      schedule,
      lock,
      concurrency,
      rateLimit,
      group,
      mechanism,
      batch,
      ...taskOptions
    } = options;
    const gates = validateGates({ lock, concurrency, group }, where);
    const metadata: TaskMetadata = {
      name:
        name === undefined
          ? checkName(`${target.constructor.name}.${String(propertyKey)}`, `${where}.name`)
          : checkName(name, `${where}.name`),
      // The decorator's own keys are taken out above but listed, so that an unknown key's
      // message names every option @Task() takes.
      options: validateTaskOptions(taskOptions, where, DECORATOR_ONLY_KEYS),
      ...(mechanism === undefined
        ? {}
        : { mechanism: checkMechanism(mechanism, `${where}.mechanism`) }),
      ...(batch === undefined ? {} : { batch: validateBatch(batch, `${where}.batch`, mechanism) }),
      ...(gates ? { gates } : {}),
      ...(rateLimit === undefined
        ? {}
        : { rateLimit: validateRateLimit(rateLimit, `${where}.rateLimit`) }),
      ...(schedule === undefined
        ? {}
        : { schedule: validateTaskSchedule(schedule, `${where}.schedule`) }),
    };
    Reflect.defineMetadata(TASK_METADATA, metadata, descriptor.value as object);
    return descriptor;
  };
}
