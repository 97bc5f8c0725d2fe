import { HOOK_METADATA } from '../constants';
import { checkName } from '../validation/checks';
import { HookKind } from '../core/hook-kind';
import { HookContexts } from './hook-context';

/** What one @OnTask…() decorator records on a method, already validated. */
export interface HookMetadata {
  kind: HookKind;
  /** Only this task's events; undefined: every task's. */
  task?: string;
}

/**
 * A method that takes the hook's context. Checked bivariantly (as methods are), so a hook may
 * narrow the context, e.g. `TaskSuccessContext<{ messageId: string }>`.
 */
type HookMethod<C> = { bivarianceHack(context: C): unknown }['bivarianceHack'];

type HookDecorator<C> = <M extends HookMethod<C>>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void;

const DECORATOR_NAMES: Record<HookKind, string> = {
  submit: 'OnTaskSubmit',
  start: 'OnTaskStart',
  success: 'OnTaskSuccess',
  retry: 'OnTaskRetry',
  failure: 'OnTaskFailure',
  cancel: 'OnTaskCancel',
};

function hookDecorator<K extends HookKind>(kind: K, task: unknown): HookDecorator<HookContexts[K]> {
  return (target, propertyKey, descriptor) => {
    const where = `@${DECORATOR_NAMES[kind]}(${target.constructor.name}.${String(propertyKey)})`;
    const metadata: HookMetadata = { kind };
    // Checked when the class is defined, like @Task: a typo must not silently match nothing.
    if (task !== undefined) metadata.task = checkName(task, `${where}.name`);
    const method = descriptor.value as object;
    const existing = (Reflect.getMetadata(HOOK_METADATA, method) ?? []) as HookMetadata[];
    // Decorators apply bottom-up: prepend, so the list reads in source order.
    Reflect.defineMetadata(HOOK_METADATA, [metadata, ...existing], method);
  };
}

/**
 * Runs in the enqueuing process after Redis acknowledged the enqueue of a new task (of task
 * `name`, or of every task). `enqueue()` resolves after its submit hooks ran.
 * @example
 * ＠OnTaskSubmit('email.send')
 * audit({ task, args }: TaskHookContext<[string, string]>) { ... }
 */
export function OnTaskSubmit(name?: string): HookDecorator<HookContexts['submit']> {
  return hookDecorator('submit', name);
}

/** Runs in the worker before the handler, inside its task context and under its timeout. */
export function OnTaskStart(name?: string): HookDecorator<HookContexts['start']> {
  return hookDecorator('start', name);
}

/**
 * Runs in the worker once the run's success is recorded (the result is readable).
 * @example
 * ＠OnTaskSuccess('email.send')
 * sent({ task, result, durationMs }: TaskSuccessContext<{ messageId: string }>) { ... }
 */
export function OnTaskSuccess(name?: string): HookDecorator<HookContexts['success']> {
  return hookDecorator('success', name);
}

/** Runs in the worker once a failed run's retry is recorded. */
export function OnTaskRetry(name?: string): HookDecorator<HookContexts['retry']> {
  return hookDecorator('retry', name);
}

/** Runs in the worker once the task's failure (for good) is recorded. */
export function OnTaskFailure(name?: string): HookDecorator<HookContexts['failure']> {
  return hookDecorator('failure', name);
}

/** Runs in the worker once a running task's cancellation is recorded. */
export function OnTaskCancel(name?: string): HookDecorator<HookContexts['cancel']> {
  return hookDecorator('cancel', name);
}
