import type { Observer } from 'rxjs';
import { TaskRun } from './task-run';

/**
 * Slots lent to other work by runs that wait for other tasks (taskContext().waitFor): while a
 * parent waits, the worker claims more (its children, say) instead of holding the slot idle.
 */
export class LentSlots {
  private lent = 0;

  constructor(private readonly slotsFreed: Observer<void>) {}

  /** Slots lent now: the runner counts them as free. */
  get count(): number {
    return this.lent;
  }

  /** `run` lends its slot (once, however many waits it has) and the loop may claim for it. */
  lend(run: TaskRun): void {
    if (run.lentSlot) return;
    run.lentSlot = true;
    this.lent++;
    this.slotsFreed.next();
  }

  /** The wait is over, or the run ended while it waited: the slot is the run's again. */
  takeBack(run: TaskRun): void {
    if (!run.lentSlot) return;
    run.lentSlot = false;
    this.lent--;
  }
}
