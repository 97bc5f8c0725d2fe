import { TAG_LENGTH, tagOfId } from '../broker/keys';
import type { NewTask } from '../broker/new-task';
import { InvalidOptionsError } from '../errors';
import type { TaskMessageBuilder } from '../messages/task-message.builder';

/**
 * Enqueue options that make no sense inside a workflow: its tasks get their ids from it, and
 * are written all at once (a debounced enqueue may merge into a task written earlier).
 */
export const NOT_IN_WORKFLOWS = ['id', 'unique', 'uniqueFor', 'onDuplicate', 'debounce'] as const;

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

/**
 * The id of a workflow member: `<workflow id>-<suffix>`. In the 'queue' layout a member whose
 * queue is in another slot than the workflow id's tag says gets its own slot's tag instead (the
 * same random part), so that its id alone still finds it; the workflow records those tags
 * (chainTags, chordTags) for findChain and findChord.
 */
export function memberId(
  builder: TaskMessageBuilder,
  task: NewTask,
  workflowId: string,
  suffix: string,
): string {
  const plain = `${workflowId}-${suffix}`;
  const tag = tagOfId(workflowId);
  if (tag === undefined || builder.withId(task, plain).slot.tag === tag) return plain;
  const own = builder.newId(task.queue).slice(0, TAG_LENGTH);
  return `${own}${workflowId.slice(TAG_LENGTH)}-${suffix}`;
}
