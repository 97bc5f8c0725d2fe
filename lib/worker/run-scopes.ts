import { Injectable, Logger } from '@nestjs/common';
import { ClaimedTask } from '../broker/claimed-task';

/**
 * Wraps one claimed task's whole run — its handler, then the recording of its outcome — and
 * must call `run` once. Metrics time the wait with it; telemetry runs the handler inside the
 * run's span, so that spans the handler makes are its children.
 */
export type RunScope = (task: ClaimedTask, run: () => Promise<void>) => Promise<void>;

/**
 * The scopes that observability features put around each run. Registered at startup, before
 * the worker starts; with none (the default) the consumer calls the runner directly.
 */
@Injectable()
export class RunScopes {
  private readonly logger = new Logger('taskmill:Observability');
  private readonly scopes: RunScope[] = [];

  get empty(): boolean {
    return this.scopes.length === 0;
  }

  add(scope: RunScope): void {
    this.scopes.push(scope);
  }

  /** Runs `run` inside every scope, first added outermost; never rejects. */
  run(task: ClaimedTask, run: () => Promise<void>): Promise<void> {
    return this.scopes.reduceRight<() => Promise<void>>(
      (inner, scope) => () => this.guarded(scope, task, inner),
      run,
    )();
  }

  /**
   * A scope that throws must not cost the task its run: the run goes on without it (or, when
   * the scope threw after starting it, is left to finish) and the error is logged.
   */
  private async guarded(scope: RunScope, task: ClaimedTask, inner: () => Promise<void>) {
    let started: Promise<void> | undefined;
    const once = () => (started ??= inner());
    try {
      await scope(task, once);
    } catch (error) {
      this.logger.error(
        `an observability scope threw around task ${task.name} ${task.id}: ${String(error)}`,
        (error as Error)?.stack,
      );
    }
    await once();
  }
}
