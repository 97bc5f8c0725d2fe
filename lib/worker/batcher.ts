import type { Observer } from 'rxjs';
import type { TaskBatch } from '../core/task-batch';
import type { TaskDefinition } from '../discovery/task.registry';
import type { BatchOptions } from '../options/batch.options';
import { BatchResultError } from '../errors';
import { describe } from '../validation/checks';
import type { LentSlots } from './lent-slots';
import { runInTaskContext } from './task-context';
import type { TaskRun } from './task-run';

/** A claimed task waiting in a batch: its run, and how its handler call ends. */
interface BatchItem {
  run: TaskRun;
  args: unknown[];
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

interface Batch {
  definition: TaskDefinition;
  items: BatchItem[];
  timer?: NodeJS.Timeout;
}

/**
 * Gathers the runs of `@Task({ batch })` tasks into one handler call per batch. Every item is
 * a run of its own (lease, timeout, cancel, outcome, hooks, metrics), whose handler call is
 * its place in the batch: it ends with the item's result, or its Error.
 *
 * Slots: an item lends its slot while it is in a batch (the worker claims on, and more items
 * join), and a batch takes one slot while its handler runs. A batch that is full or has waited
 * `waitMs` is ready: it starts as soon as the worker has a free slot (startReady, from the
 * consumer loop), so the worker's concurrency bounds handler calls, batches included.
 */
export class Batcher {
  /** The batch filling for each task name. */
  private readonly filling = new Map<string, Batch>();
  private readonly ready: Batch[] = [];
  private running = 0;

  constructor(
    private readonly slots: LentSlots,
    /** Told when a batch is ready or its call ended: the consumer loop looks for a free slot. */
    private readonly slotsChanged: Observer<void>,
  ) {}

  /** The slots batches take now: one per handler call in progress. */
  get slotsTaken(): number {
    return this.running;
  }

  /** Puts `run` (a task of `definition`, whose `batch` options are `options`) in its name's batch. */
  join(
    run: TaskRun,
    args: unknown[],
    definition: TaskDefinition,
    { size, waitMs }: BatchOptions,
  ): Promise<unknown> {
    let batch = this.filling.get(definition.name);
    if (!batch) {
      batch = { definition, items: [] };
      this.filling.set(definition.name, batch);
      // A timer even for waitMs 0: the tasks of one claim join before the batch closes.
      const closing = batch;
      // Unref'd: a batch whose items were all handed back on shutdown keeps no process alive.
      batch.timer = setTimeout(() => this.close(closing), waitMs).unref();
    }
    const result = new Promise<unknown>((resolve, reject) => {
      batch.items.push({ run, args, resolve, reject });
    });
    this.slots.lend(run);
    if (batch.items.length >= size) this.close(batch);
    return result;
  }

  /** Starts ready batches while there are `free` slots; returns how many slots they took. */
  startReady(free: number): number {
    let taken = 0;
    while (taken < free && this.ready.length > 0) {
      const batch = this.ready.shift() as Batch;
      // Items whose run ended meanwhile (cancel, timeout, lost lease, shutdown) are left out.
      const items = batch.items.filter(({ run }) => run.cause === undefined);
      if (items.length === 0) continue;
      taken++;
      this.running++;
      void this.call(batch.definition, items);
    }
    return taken;
  }

  private close(batch: Batch): void {
    if (this.filling.get(batch.definition.name) !== batch) return;
    clearTimeout(batch.timer);
    this.filling.delete(batch.definition.name);
    this.ready.push(batch);
    this.slotsChanged.next();
  }

  /** One handler call for `items`, in the first item's task context; settles each item. */
  private async call(definition: TaskDefinition, items: BatchItem[]): Promise<void> {
    const batch: TaskBatch = {
      items: items.map(({ run, args }) => ({ id: run.task.id, args, attempt: run.task.attempt })),
    };
    try {
      const results: unknown = await runInTaskContext(items[0].run, () =>
        definition.handler(batch),
      );
      settleItems(definition, items, results);
    } catch (error) {
      for (const item of items) item.reject(error);
    } finally {
      this.running--;
      this.slotsChanged.next();
    }
  }
}

/** Gives each item its result, or its Error; all fail when `results` is not one per item. */
function settleItems(definition: TaskDefinition, items: BatchItem[], results: unknown): void {
  if (!Array.isArray(results) || results.length !== items.length) {
    const got = Array.isArray(results) ? `${results.length} results` : describe(results);
    const error = new BatchResultError(definition.name, definition.source, items.length, got);
    for (const item of items) item.reject(error);
    return;
  }
  items.forEach((item, i) => {
    const result: unknown = results[i];
    if (result instanceof Error) item.reject(result);
    else item.resolve(result);
  });
}
