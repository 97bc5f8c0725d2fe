import { InvalidOptionsError } from '../errors';

/** Enqueue options that make no sense inside a workflow (its tasks get their ids from it). */
export const NOT_IN_WORKFLOWS = ['id', 'unique', 'uniqueFor', 'onDuplicate'] as const;

/**
 * The options of one workflow task, checked: an object request, and none of `refused` set.
 * Returns its options as a record, for further checks.
 */
export function workflowTaskOptions(
  request: unknown,
  field: string,
  shape: string,
  refused: readonly string[],
  where: string,
): Record<string, unknown> {
  if (!request || typeof request !== 'object') {
    throw new InvalidOptionsError(field, `must be ${shape}`);
  }
  const options = ((request as { options?: unknown }).options ?? {}) as Record<string, unknown>;
  for (const key of refused) {
    if (options[key] !== undefined) {
      throw new InvalidOptionsError(`${field}.options.${key}`, `is not available in ${where}`);
    }
  }
  return options;
}
