import { decodeEnqueueCodes, EnqueueCode, EnqueueResult } from './enqueue-results';
import { COMMIT_MARK_TTL_MS } from './handoffs';
import type { SlotKeys } from './keys';
import { NewTask, newTaskArguments } from './new-task';
import type { ScriptCaller } from './queue-admin-scripts';
import { randomTaskId } from './task-ids';

/** A task of a batch, with the workflow links its record gets and whether it waits parked. */
export interface BatchTask {
  task: NewTask;
  /** Task hash field/value pairs (chain and chord links), written with the task. */
  links?: string[];
  /** A chain step after the first, a chord's callback: placed by its predecessor's end. */
  parked?: boolean;
}

/** One enqueue-1.lua call (its arguments hold the deadline); returns its codes. */
export type DeadlineWrite = (slot: SlotKeys, args: (string | number)[]) => Promise<EnqueueCode[]>;

interface SlotPart {
  slot: SlotKeys;
  items: BatchTask[];
  indexes: number[];
}

/**
 * Writes a batch whose tasks are in several hash slots, all or nothing, without a script that
 * touches two slots: every slot but the first task's (the coordinator) writes its tasks staged
 * (invisible, in no queue), then the coordinator writes its own with the batch's commit mark,
 * then each staged part is released. One deadline bounds every call, so once it passed without
 * a commit mark none can appear, and the sweep (Handoffs.sweep) deletes what was staged; with
 * the mark, it releases what a writer that died left staged.
 */
export class StagedBatch {
  constructor(
    private readonly write: DeadlineWrite,
    private readonly call: ScriptCaller,
    private readonly eventsMaxLen: number,
    private readonly timeoutMs: number,
  ) {}

  /** Same answers as an atomic enqueue: one refusal leaves every other task `skipped`. */
  async enqueue(tasks: BatchTask[], deadline: number): Promise<EnqueueResult[]> {
    const [coordinator, ...others] = slotParts(tasks);
    const batchId = randomTaskId();
    const results = new Array<EnqueueResult>(tasks.length).fill('skipped');
    const staging = await Promise.allSettled(
      others.map((part) =>
        this.writePart(part, 's', batchId, coordinator.slot.base, deadline, results),
      ),
    );
    const staged = others.filter((_, i) => staging[i].status === 'fulfilled');
    const failed = staging.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    // A part that failed on the way may be staged all the same: the sweep removes it after the
    // deadline, as no commit mark will be written.
    if (failed) return this.abort(staged, batchId, failed.reason);
    if (staging.some((s) => s.status === 'fulfilled' && s.value === 'refused')) {
      return this.undo(staged, batchId, results);
    }
    const committed = await this.writePart(
      coordinator,
      'c',
      batchId,
      String(COMMIT_MARK_TTL_MS),
      deadline,
      results,
    );
    // (A commit that failed on the way threw: written or not, its mark tells the sweep which.)
    if (committed === 'refused') return this.undo(staged, batchId, results);
    // Committed: the caller is answered even when a release fails (the sweep releases).
    await Promise.all(
      staged.map((part) => this.release(part.slot, 'commit', batchId).catch(() => undefined)),
    );
    return results;
  }

  /** Writes one slot's part; 'refused' when an id was taken (nothing written there). */
  private async writePart(
    part: SlotPart,
    mode: 's' | 'c',
    batchId: string,
    modeArgument: string,
    deadline: number,
    results: EnqueueResult[],
  ): Promise<'written' | 'refused'> {
    const codes = await this.write(part.slot, [
      this.eventsMaxLen,
      mode,
      deadline,
      batchId,
      modeArgument,
      part.items.length,
      ...part.items.flatMap(batchTaskArguments),
    ]);
    const decoded = decodeEnqueueCodes(codes, this.timeoutMs);
    const refused = decoded.some((result) => result === 'taken' || typeof result === 'object');
    part.indexes.forEach((index, i) => {
      if (!refused || decoded[i] !== 'skipped') results[index] = decoded[i];
    });
    return refused ? 'refused' : 'written';
  }

  private async undo(
    staged: SlotPart[],
    batchId: string,
    results: EnqueueResult[],
  ): Promise<EnqueueResult[]> {
    await Promise.all(
      staged.map((part) => this.release(part.slot, 'abort', batchId).catch(() => undefined)),
    );
    // Only the refusal stands; the tasks of other slots were removed, or will be.
    return results.map((result) =>
      result === 'taken' || typeof result === 'object' ? result : 'skipped',
    );
  }

  private async abort(staged: SlotPart[], batchId: string, error: unknown): Promise<never> {
    await Promise.all(
      staged.map((part) => this.release(part.slot, 'abort', batchId).catch(() => undefined)),
    );
    throw error;
  }

  private release(slot: SlotKeys, action: 'commit' | 'abort', batchId: string): Promise<unknown> {
    return this.call('taskmillReleaseStaged', slot, true, action, batchId);
  }
}

/** enqueue-1.lua's 16 fields of a batch task. */
export function batchTaskArguments(item: BatchTask): (string | number)[] {
  return [
    ...newTaskArguments(item.task),
    item.links && item.links.length > 0 ? JSON.stringify(item.links) : '',
    item.parked ? '1' : '',
  ];
}

/** The batch's tasks by slot, the first task's slot first. */
function slotParts(tasks: BatchTask[]): SlotPart[] {
  const parts = new Map<string, SlotPart>();
  tasks.forEach((item, index) => {
    const base = item.task.slot.base;
    const part = parts.get(base) ?? { slot: item.task.slot, items: [], indexes: [] };
    part.items.push(item);
    part.indexes.push(index);
    parts.set(base, part);
  });
  return [...parts.values()];
}
