import { merge, Observable } from 'rxjs';
import { isTerminal, StatusUpdate } from '../core/task-status';
import { ResultOptions } from '../results/result-options';
import { TaskHandle } from './task-handle';

/**
 * Follows a chain: its steps' handles, their status changes one step after the other, and the
 * last step's result.
 */
export class ChainHandle<R = unknown> {
  constructor(
    /** The chain's id; step `i` (from 1) has the id `<chain id>-<i>`. */
    readonly id: string,
    /** One handle per step, in order. Every step has a record from the start (SUBMITTED). */
    readonly steps: TaskHandle[],
  ) {}

  /**
   * Every step's current status first, then each change of any step as it happens (steps run
   * one after the other, so the changes come in chain order); completes once every step
   * ended. A step that stops the chain is followed by the others' FAILED or CANCELLED.
   */
  get status$(): Observable<StatusUpdate> {
    return merge(...this.steps.map((step) => step.status$));
  }

  /**
   * The last step's result. When an earlier step fails (or is cancelled) the chain stops and
   * this rejects with TaskFailedError (remote name `ChainStoppedError`, naming the step) or
   * TaskCancelledError.
   */
  result(options: ResultOptions = {}): Promise<R> {
    return (this.steps[this.steps.length - 1] as TaskHandle<R>).result(options);
  }

  /** Cancels the chain: its current step, and with it every later one. True if it stopped it. */
  async cancel(): Promise<boolean> {
    for (const step of this.steps) {
      if (isTerminal((await step.status()).status)) continue;
      if (await step.cancel()) return true;
    }
    return false;
  }
}
