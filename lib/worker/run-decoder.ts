import { ClaimedTask } from '../broker/claimed-task';
import { TaskRegistry } from '../discovery/task.registry';
import { CorruptTaskError, ErrorDetails, UnknownTaskError } from '../errors';
import { Serializer } from '../serialization/serializer';
import { Batcher } from './batcher';
import { HandlerPools, runsInPool } from './handler-pools';
import { RunHooks } from './run-hooks';
import { runInTaskContext } from './task-context';
import { RunExtras, TaskRun } from './task-run';

/**
 * Turns a claimed task into the call of its handler: finds the handler, decodes the arguments
 * and what a workflow passed on (metadata, a previous step's result or a chord's results), and
 * wraps the call in the start hooks and the task context. Bad data throws here, before the
 * handler starts.
 */
export class RunDecoder {
  constructor(
    private readonly registry: TaskRegistry,
    private readonly serializer: Serializer,
    private readonly hooks: RunHooks,
    private readonly pools: HandlerPools,
    private readonly batcher: Batcher,
  ) {}

  /** The handler call for `run`; sets the run's decoded arguments and extras. */
  prepare(run: TaskRun): () => unknown {
    const { task } = run;
    if (task.corrupt) throw new CorruptTaskError(`Task ${task.id} is corrupted: ${task.corrupt}`);
    const definition = this.registry.get(task.name);
    if (!definition) {
      throw new UnknownTaskError(
        task.name,
        `no @Task handler with this name in the worker that claimed it from queue ` +
          `"${task.queue}"${didYouMean(this.registry.suggest(task.name))}`,
      );
    }
    const args = this.serializer.deserialize(task.args);
    if (!Array.isArray(args))
      throw new CorruptTaskError(`arguments of task ${task.id} are not an array`);
    if (task.metadata || task.previous || task.previousError) run.extras = this.extrasOf(task);
    run.args = args;
    // The one place where a run leaves the event loop: a pool member runs it (lib/pool).
    // A batch task's call is its place in its name's next batch (lib/worker/batcher.ts).
    const { batch } = definition;
    const handler = runsInPool(definition)
      ? () => this.pools.run(definition, args, run.taskContext())
      : batch
        ? () => this.batcher.join(run, args, definition, batch)
        : () => definition.handler(...args);
    // Start hooks run inside the task context and the run's race with its timeout and abort.
    const call = this.hooks.active ? this.hooks.beforeHandler(run.ref, args, handler) : handler;
    return () => runInTaskContext(run, call);
  }

  private extrasOf(task: ClaimedTask): RunExtras {
    return {
      metadata: task.metadata
        ? (this.serializer.deserialize(task.metadata) as Record<string, unknown>)
        : undefined,
      previous: this.previousOf(task),
      previousError: task.previousError
        ? (JSON.parse(task.previousError) as ErrorDetails)
        : undefined,
    };
  }

  /** A chain step's previous result, or a chord callback's results (in the parts' order). */
  private previousOf(task: ClaimedTask): unknown {
    if (!task.previous) return undefined;
    if (!task.joined) return this.serializer.deserialize(task.previous);
    return (JSON.parse(task.previous) as string[]).map((result) =>
      result === '' ? undefined : this.serializer.deserialize(result),
    );
  }
}

/** `; did you mean "x"?` when a handler's name is that close, else ''. */
function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
}
