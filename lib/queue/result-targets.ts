import { InvalidOptionsError } from '../errors';
import { TaskHandle } from './task-handle';
import { checkTaskId } from '../validation/checks';
import { checkResultTimeout } from '../results/result-options';
import { ResultTarget } from '../results/result-pool';

/** Checks the arguments of the many-results calls before anything is read or listened to. */
export function checkResultTargets(
  handles: unknown,
  options: unknown,
): { targets: ResultTarget[]; timeoutMs: number | undefined } {
  if (!Array.isArray(handles)) {
    throw new InvalidOptionsError('handles', 'must be an array of TaskHandles or task ids');
  }
  const seen = new Set<string>();
  const targets = handles.map((handle: unknown, i): ResultTarget => {
    const field = `handles[${i}]`;
    const target =
      handle instanceof TaskHandle
        ? { id: handle.id, queue: handle.queue }
        : typeof handle === 'string'
          ? { id: checkTaskId(handle, field) }
          : undefined;
    if (!target) throw new InvalidOptionsError(field, 'must be a TaskHandle or a task id');
    // Each task settles once: a repeated id would never let the wait complete as asked.
    if (seen.has(target.id)) {
      throw new InvalidOptionsError(field, `task "${target.id}" is listed twice`);
    }
    seen.add(target.id);
    return target;
  });
  return { targets, timeoutMs: checkResultTimeout(options) };
}
