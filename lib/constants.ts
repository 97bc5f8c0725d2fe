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
