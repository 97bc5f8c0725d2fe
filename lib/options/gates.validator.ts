import { InvalidOptionsError } from '../errors';
import { checkInteger, checkName, describe } from '../validation/checks';
import { TaskGates } from './task.options';

/** `@Task({ lock, concurrency, group })`, checked when the class is defined; undefined when none. */
export function validateGates(raw: TaskGates, where: string): TaskGates | undefined {
  const gates: TaskGates = {};
  if (raw.lock !== undefined) {
    if (typeof raw.lock === 'string') gates.lock = checkName(raw.lock, `${where}.lock`);
    else if (typeof raw.lock === 'function') gates.lock = raw.lock;
    else {
      throw new InvalidOptionsError(
        `${where}.lock`,
        `must be a lock name or a function of the task's arguments, got ${describe(raw.lock)}`,
      );
    }
  }
  if (raw.concurrency !== undefined) {
    gates.concurrency = checkInteger(raw.concurrency, `${where}.concurrency`, {
      min: 1,
      max: 10_000,
    });
  }
  if (raw.group !== undefined) {
    if (typeof raw.group !== 'function') {
      throw new InvalidOptionsError(
        `${where}.group`,
        `must be a function of the task's arguments that returns its group key, got ${describe(raw.group)}`,
      );
    }
    gates.group = raw.group;
  }
  const none = gates.lock === undefined && gates.concurrency === undefined;
  return none && gates.group === undefined ? undefined : gates;
}
