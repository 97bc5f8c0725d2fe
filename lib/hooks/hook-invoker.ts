import { Injectable, Logger } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { HookFailedEvent } from '../core/worker-event';
import { HookKind } from '../core/hook-kind';
import { HookContexts } from './hook-context';
import { HookRegistry } from './hook.registry';

/**
 * Calls hooks one after the other, in discovery order. A hook that throws or rejects is logged
 * and reported as `hook.failed`; the next hook still runs and the task's outcome is untouched.
 */
@Injectable()
export class HookInvoker {
  private readonly logger = new Logger('taskmill:Hooks');
  private readonly failures = new Subject<HookFailedEvent>();

  /** Merged into `WorkerService.events$`. */
  readonly failed$: Observable<HookFailedEvent> = this.failures.asObservable();

  constructor(private readonly registry: HookRegistry) {}

  /** False when the app has no hooks at all: callers skip building contexts. */
  get active(): boolean {
    return !this.registry.empty;
  }

  /** Runs the hooks of `kind` for the context's task; never rejects. */
  async fire<K extends HookKind>(kind: K, context: HookContexts[K]): Promise<void> {
    for (const hook of this.registry.for(kind, context.task.name)) {
      try {
        await hook.call(context);
      } catch (thrown) {
        const error = thrown instanceof Error ? thrown : new Error(String(thrown));
        this.logger.error(
          `${kind} hook ${hook.source} threw for task ${context.task.name} ${context.task.id}: ` +
            error.message,
          error.stack,
        );
        this.failures.next({
          type: 'hook.failed',
          hook: hook.source,
          kind,
          task: context.task,
          error,
        });
      }
    }
  }
}
