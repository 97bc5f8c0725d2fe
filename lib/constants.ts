/** Reflect metadata key under which @Task() stores its options on a method. */
export const TASK_METADATA = 'taskmill:task';

/** Injection token of the validated module options (ResolvedModuleOptions). */
export const RESOLVED_OPTIONS = Symbol('taskmill:resolved-options');

/** Reflect metadata key under which the @OnTask…() decorators store a method's hooks. */
export const HOOK_METADATA = 'taskmill:hooks';
