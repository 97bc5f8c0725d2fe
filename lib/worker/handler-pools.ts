import type { TaskDefinition } from '../discovery/task.registry';
import { PoolSetupError } from '../errors';
import type { TaskContext } from './task-context';

/** Injection token of the worker's HandlerPools (built in lib/module from lib/pool). */
export const HANDLER_POOLS = Symbol('taskmill:handler-pools');

/**
 * Runs `@Task({ mechanism: 'thread' | 'process' })` handlers away from the worker's event loop
 * (lib/pool). The worker owns the claim, the lease and the outcome; the pool only runs the
 * handler and stops it when the run's signal aborts.
 */
export interface HandlerPools {
  /** Boots the members the tasks need; rejects with PoolSetupError (nothing left running). */
  start(tasks: TaskDefinition[], report: (error: Error) => void): Promise<void>;
  /**
   * The handler's result, computed in a member; rejects with the handler's error or a
   * PoolMemberCrashError. An abort of `context.signal` stops the member running it.
   */
  run(task: TaskDefinition, args: unknown[], context: TaskContext): Promise<unknown>;
  /** Ends every member (once the worker drained or handed back its runs). */
  close(): Promise<void>;
}

/** Whether the task's handler runs in a pool member rather than on the event loop. */
export function runsInPool(task: TaskDefinition): boolean {
  return task.mechanism === 'thread' || task.mechanism === 'process';
}

/** For a runner built without pools (tests of the worker alone): pool tasks fail to run. */
export const NO_POOLS: HandlerPools = {
  start: () => Promise.resolve(),
  run: (task) =>
    Promise.reject(new PoolSetupError(`no worker pool here to run @Task "${task.name}"`)),
  close: () => Promise.resolve(),
};
