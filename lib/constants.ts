/** Reflect metadata key under which @Task() stores its options on a method. */
export const TASK_METADATA = 'taskmill:task';

/** Injection token of the validated module options (ResolvedModuleOptions). */
export const RESOLVED_OPTIONS = Symbol('taskmill:resolved-options');

/** Reflect metadata key under which the @OnTask…() decorators store a method's hooks. */
export const HOOK_METADATA = 'taskmill:hooks';

/**
 * Injection token of the running task's TaskContext: `@Inject(TASK_REF) ctx: TaskContext` in a
 * provider makes it request-scoped, built anew for each run (undefined outside a task run).
 */
export const TASK_REF = Symbol('taskmill:task-ref');

/** `ExecutionContext.getType()` and `ArgumentsHost.getType()` inside a task's enhancers. */
export const TASKMILL_CONTEXT_TYPE = 'taskmill';

/**
 * Injection token (a string, so that it matches across copies of the package) of module options
 * that win over the module's own (`connection`, `prefix`, `worker`, merged key by key): the
 * `taskmill worker` command provides it from a global module, so that its flags apply to the app
 * it boots.
 */
export const OPTION_OVERRIDES = 'taskmill:option-overrides';
