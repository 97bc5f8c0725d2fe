import { TASK_FIELDS } from './keys';
import type { KeyBuilder, SlotKeys } from './keys';

/** A task of the wait graph and the slot it is in. */
export interface WaitNode {
  id: string;
  slot: SlotKeys;
}

/** Reads, for each key, the task's waitingFor and waitingSlots fields (one round trip). */
export type WaitReader = (keys: string[]) => Promise<[string | null, string | null][]>;

const MAX_VISITS = 10_000;

/**
 * The cycle check of parent/child waits across slots ('queue' layout), from the client: no
 * script may read the tasks of several slots, so the graph is walked with plain reads, one
 * round trip per level. It is not atomic with the recording of the wait: two tasks of different
 * slots that start waiting for each other at the same instant can both pass (each walk ran
 * before the other's wait was recorded); their waitFor timeouts then end the deadlock. A wait
 * within one slot is checked by wait-for-1.lua, atomically.
 */
export class WaitGraph {
  constructor(
    private readonly keys: KeyBuilder,
    private readonly read: WaitReader,
  ) {}

  /** The cycle that waiting for `targets` would close (waiter first and last), if any. */
  async cycle(waiter: string, targets: WaitNode[]): Promise<string[] | undefined> {
    const parents = new Map<string, string>();
    let level: WaitNode[] = [];
    for (const target of targets) {
      if (target.id === waiter) return [waiter, waiter];
      if (!parents.has(target.id)) {
        parents.set(target.id, waiter);
        level.push(target);
      }
    }
    while (level.length > 0 && parents.size < MAX_VISITS) {
      const replies = await this.read(level.map((node) => node.slot.task(node.id)));
      const next: WaitNode[] = [];
      level.forEach((node, i) => {
        for (const child of waitsOf(node, replies[i], this.keys)) {
          if (child.id === waiter) {
            parents.set(waiter, node.id);
            return;
          }
          if (parents.has(child.id)) continue;
          parents.set(child.id, node.id);
          next.push(child);
        }
      });
      if (parents.has(waiter)) return pathBack(parents, waiter);
      level = next;
    }
    return undefined;
  }
}

/** The fields the walk reads. */
export const WAIT_FIELDS = [TASK_FIELDS.waitingFor, TASK_FIELDS.waitingSlots] as const;

/** The tasks `node` waits for: its recorded ids, in their recorded slots (else its own). */
function waitsOf(
  node: WaitNode,
  [ids, slots]: [string | null, string | null],
  keys: KeyBuilder,
): WaitNode[] {
  if (ids === null) return [];
  const idList = JSON.parse(ids) as string[];
  const slotList = slots === null ? [] : (JSON.parse(slots) as string[]);
  return idList.map((id, i) => ({
    id,
    slot: (slotList[i] !== undefined && keys.slotOfBase(slotList[i])) || node.slot,
  }));
}

/** waiter → … → waiter, from the parent links the walk left. */
function pathBack(parents: Map<string, string>, waiter: string): string[] {
  const path = [waiter];
  let id = parents.get(waiter) as string;
  while (id !== waiter) {
    path.unshift(id);
    id = parents.get(id) as string;
  }
  path.unshift(waiter);
  return path;
}
