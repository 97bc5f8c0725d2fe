import { Injectable } from '@nestjs/common';
import { NewTask } from '../broker/new-task';

/**
 * Wraps the write of new tasks (one enqueue, or an enqueueMany batch): it may set each task's
 * `trace` before calling `write`, which it must call once, and see how the write ended.
 */
export type EnqueueScope = <R>(tasks: NewTask[], write: () => Promise<R>) => Promise<R>;

/**
 * What observability features put around enqueues (telemetry's enqueue spans). Registered at
 * startup; with none (the default) QueueService writes directly.
 */
@Injectable()
export class EnqueueScopes {
  private scope?: EnqueueScope;

  get empty(): boolean {
    return this.scope === undefined;
  }

  use(scope: EnqueueScope): void {
    this.scope = scope;
  }

  write<R>(tasks: NewTask[], write: () => Promise<R>): Promise<R> {
    return this.scope ? this.scope(tasks, write) : write();
  }
}
