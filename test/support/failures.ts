import { TaskFailedError, TaskHandle } from '../../lib';

/** The TaskFailedError a handle's result() rejects with (fails the test if it resolves). */
export async function failureOf(handle: TaskHandle, timeout = 5000): Promise<TaskFailedError> {
  const outcome = await handle.result({ timeout }).then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!('rejected' in outcome)) throw new Error(`expected task ${handle.id} to fail`);
  expect(outcome.rejected).toBeInstanceOf(TaskFailedError);
  return outcome.rejected as TaskFailedError;
}
