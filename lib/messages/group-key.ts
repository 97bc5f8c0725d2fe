import { InvalidOptionsError } from '../errors';
import { checkName, describe } from '../validation/checks';

/** `@Task({ group })`: the group key of a task, from its arguments. */
export type GroupFunction = (...args: never[]) => string;

/**
 * The group key of a task ('' none): the enqueue's `group`, else what the `@Task`'s group
 * function returns for the arguments. A function that throws or returns no valid name is the
 * caller's bad input: InvalidOptionsError, before anything is written.
 */
export function groupKey(
  own: unknown,
  declared: GroupFunction | undefined,
  args: unknown[],
): string {
  if (own !== undefined) return checkName(own, 'group');
  if (declared === undefined) return '';
  let key: unknown;
  try {
    key = (declared as (...args: unknown[]) => unknown)(...args);
  } catch (error) {
    throw new InvalidOptionsError(
      'group (from @Task)',
      `the group function threw for these arguments: ${(error as Error)?.message ?? String(error)}`,
    );
  }
  if (typeof key !== 'string') {
    throw new InvalidOptionsError(
      'group (from @Task)',
      `the group function must return the group key as a string, got ${describe(key)}`,
    );
  }
  return checkName(key, 'group (from @Task)');
}
