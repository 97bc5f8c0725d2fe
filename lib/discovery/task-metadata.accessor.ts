import { HOOK_METADATA, TASK_METADATA } from '../constants';
import { TaskMetadata } from '../decorators/task.decorator';
import { HookMetadata } from '../hooks/hook.decorators';

/** Every read of @Task() metadata goes through here. */
export function readTaskMetadata(method: unknown): TaskMetadata | undefined {
  if (typeof method !== 'function') return undefined;
  return Reflect.getMetadata(TASK_METADATA, method) as TaskMetadata | undefined;
}

/** The @OnTask…() hooks declared on a method, in source order (none: undefined). */
export function readHookMetadata(method: unknown): HookMetadata[] | undefined {
  if (typeof method !== 'function') return undefined;
  return Reflect.getMetadata(HOOK_METADATA, method) as HookMetadata[] | undefined;
}
