import { Injectable } from '@nestjs/common';
import { NewTask } from '../broker/new-task';

/**
 * Wraps the write of new tasks (an enqueue, a batch, a chain or a chord): it may set each task's
 * `trace` before calling `write`, which it must call once, and see how the write ended.
 */
export type EnqueueWrapper = <R>(tasks: NewTask[], write: () => Promise<R>) => Promise<R>;

/**
 * What observability features put around enqueues (telemetry's enqueue spans). Registered at
 * startup; with none (the default) QueueService writes directly.
 */
@Injectable()
export class EnqueueWrappers {
  private wrapper?: EnqueueWrapper;

  get empty(): boolean {
    return this.wrapper === undefined;
  }

  use(wrapper: EnqueueWrapper): void {
    this.wrapper = wrapper;
  }

  write<R>(tasks: NewTask[], write: () => Promise<R>): Promise<R> {
    return this.wrapper ? this.wrapper(tasks, write) : write();
  }
}
