import { TAG_LENGTH, TASK_FIELDS as F } from './keys';
import type { NewTask } from './new-task';
import type { BatchTask } from './staged-batch';

/** Whether every task is in the first one's slot (a workflow written by one script). */
export function oneSlot(tasks: NewTask[]): boolean {
  return tasks.every((task) => task.slot.base === tasks[0].slot.base);
}

/**
 * A workflow member of a staged batch. Its ids are random, so a task of the same definition
 * holding one is this very batch, written by a send whose reply was lost: 'return-matching'
 * answers it as written, as workflowIdsTaken does in the one-slot scripts.
 */
function member(task: NewTask, links: string[], parked: boolean): BatchTask {
  return { task: { ...task, onDuplicate: 'return-matching', uniqueFor: undefined }, links, parked };
}

/** The slot tags of the members' ids (findChain and findChord rebuild the ids from them). */
function tagsOf(tasks: NewTask[]): string {
  return JSON.stringify(tasks.map((task) => task.id.slice(0, TAG_LENGTH)));
}

/**
 * A chain across slots (enqueue-chain-1.lua's links, written by the staged batch): each step
 * names the next and, when it is in another slot, that slot (its end hands off to it).
 */
export function chainBatch(steps: { task: NewTask; continueOnFailure: boolean }[]): BatchTask[] {
  const tasks = steps.map((step) => step.task);
  const tags = tagsOf(tasks);
  return steps.map(({ task, continueOnFailure }, i) => {
    const links = [F.chainSteps, String(steps.length), F.chainTags, tags];
    const previous = tasks[i - 1];
    const next = tasks[i + 1];
    if (previous) links.push(F.after, previous.id);
    if (next) links.push(F.next, next.id);
    if (next && next.slot.base !== task.slot.base) links.push(F.nextSlot, next.slot.base);
    if (continueOnFailure) links.push(F.continueOnFailure, '1');
    return member(task, links, i > 0);
  });
}

/**
 * A chord across slots (enqueue-chord-1.lua's links): the callback first (its slot
 * coordinates the batch), parked until every part ended; each part names the callback and,
 * when it is in another slot, that slot.
 */
export function chordBatch(parts: NewTask[], callback: NewTask): BatchTask[] {
  const count = String(parts.length);
  return [
    member(
      callback,
      [F.after, 'chord', F.parts, count, F.pending, count, F.chordTags, tagsOf(parts)],
      true,
    ),
    ...parts.map((part, i) => {
      const links = [F.chord, callback.id, F.chordIndex, String(i)];
      if (part.slot.base !== callback.slot.base) links.push(F.chordSlot, callback.slot.base);
      return member(part, links, false);
    }),
  ];
}
