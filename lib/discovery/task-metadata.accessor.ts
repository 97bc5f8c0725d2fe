import { TASK_METADATA } from '../constants';
import { TaskMetadata } from '../decorators/task.decorator';

/** Every read of @Task() metadata goes through here. */
export function readTaskMetadata(method: unknown): TaskMetadata | undefined {
  if (typeof method !== 'function') return undefined;
  return Reflect.getMetadata(TASK_METADATA, method) as TaskMetadata | undefined;
}
