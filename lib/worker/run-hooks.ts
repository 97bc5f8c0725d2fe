import { HookKind } from '../core/hook-kind';
import { HookContexts } from '../hooks/hook-context';
import { HookInvoker } from '../hooks/hook-invoker';
import { TaskRef } from '../core/worker-event';

/**
 * The worker's side of lifecycle hooks. It keeps one task's hooks in order on this worker:
 * with a short backoff, the settle call that records a retry may already claim the next
 * attempt, so that attempt's start hooks wait for the previous run's outcome hooks.
 */
export class RunHooks {
  /** By task id: the recording of its latest run here, outcome hooks included. */
  private readonly recording = new Map<string, Promise<void>>();

  constructor(private readonly invoker: HookInvoker) {}

  /** False when the app has no hooks: the runner then skips every call below. */
  get active(): boolean {
    return this.invoker.active;
  }

  fire<K extends HookKind>(kind: K, context: HookContexts[K]): Promise<void> {
    return this.invoker.fire(kind, context);
  }

  /** Called before a run's outcome is sent, so the next claim of the task finds it. */
  recorded(id: string, recording: Promise<void>): void {
    // The runner reports a failed recording itself; here it only has to be over.
    const over = recording.then(noop, noop);
    this.recording.set(id, over);
    void over.then(() => {
      if (this.recording.get(id) === over) this.recording.delete(id);
    });
  }

  /** The handler call, preceded by the start hooks. */
  beforeHandler(task: TaskRef, args: unknown[], handler: () => unknown): () => Promise<unknown> {
    return async () => {
      await this.recording.get(task.id);
      await this.invoker.fire('start', { task, args });
      return handler();
    };
  }
}

function noop(): void {}
