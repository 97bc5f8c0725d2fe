import { Injectable, Logger } from '@nestjs/common';
import { ClaimedTask } from '../broker/claimed-task';

/**
 * Wraps one claimed task's whole run — its handler, then the recording of its outcome — and
 * must call `run` once. Metrics time the wait with it; telemetry runs the handler inside the
 * run's span, so that spans the handler makes are its children.
 */
export type RunWrapper = (task: ClaimedTask, run: () => Promise<void>) => Promise<void>;

/**
 * The wrappers that observability features put around each run. Registered at startup, before
 * the worker starts; with none (the default) the consumer calls the runner directly.
 */
@Injectable()
export class RunWrappers {
  private readonly logger = new Logger('taskmill:Observability');
  private readonly wrappers: RunWrapper[] = [];

  get empty(): boolean {
    return this.wrappers.length === 0;
  }

  add(wrapper: RunWrapper): void {
    this.wrappers.push(wrapper);
  }

  /** Runs `run` inside every wrapper, first added outermost; never rejects. */
  run(task: ClaimedTask, run: () => Promise<void>): Promise<void> {
    return this.wrappers.reduceRight<() => Promise<void>>(
      (inner, wrapper) => () => this.guarded(wrapper, task, inner),
      run,
    )();
  }

  /**
   * A wrapper that throws must not cost the task its run: the run goes on without it (or, when
   * the wrapper threw after starting it, is left to finish) and the error is logged.
   */
  private async guarded(wrapper: RunWrapper, task: ClaimedTask, inner: () => Promise<void>) {
    let started: Promise<void> | undefined;
    const once = () => (started ??= inner());
    try {
      await wrapper(task, once);
    } catch (error) {
      this.logger.error(
        `an observability wrapper threw around task ${task.name} ${task.id}: ${String(error)}`,
        (error as Error)?.stack,
      );
    }
    await once();
  }
}
