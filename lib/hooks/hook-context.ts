import { ErrorDetails } from '../errors';
import { TaskRef } from '../core/worker-event';

/** What every hook receives: the task, and its arguments as the handler gets them. */
export interface TaskHookContext<A extends unknown[] = unknown[]> {
  /** `attempt` is 0 for submit hooks (nothing ran yet), the run's number otherwise. */
  task: TaskRef;
  args: A;
}

/** The run succeeded and its result is recorded. */
export interface TaskSuccessContext<
  R = unknown,
  A extends unknown[] = unknown[],
> extends TaskHookContext<A> {
  result: R;
  /** From the start of the run (start hooks included) to the end of the handler. */
  durationMs: number;
}

/** The run failed and its retry is recorded. */
export interface TaskRetryContext<A extends unknown[] = unknown[]> extends TaskHookContext<A> {
  /** As recorded (and as `result()` callers will see it). */
  error: ErrorDetails;
  /** What the handler threw, as it threw it (this process only). */
  cause: unknown;
  /** When the next attempt is due, from now. */
  delayMs: number;
  durationMs: number;
}

/**
 * The task failed for good and went to the dead-letter set. `args` is undefined when the task
 * could not even be prepared (no handler in this app, undecodable record).
 */
export interface TaskFailureContext<A extends unknown[] = unknown[]> extends Omit<
  TaskHookContext<A>,
  'args'
> {
  args: A | undefined;
  error: ErrorDetails;
  cause: unknown;
  durationMs: number;
}

/** A running task was cancelled and ended CANCELLED. */
export interface TaskCancelContext<A extends unknown[] = unknown[]> extends Omit<
  TaskHookContext<A>,
  'args'
> {
  /** Undefined when the task could not be prepared (as for failure hooks). */
  args: A | undefined;
  durationMs: number;
}

/** What each kind of hook receives. */
export interface HookContexts {
  submit: TaskHookContext;
  start: TaskHookContext;
  success: TaskSuccessContext;
  retry: TaskRetryContext;
  failure: TaskFailureContext;
  cancel: TaskCancelContext;
}
