import { ConnectionError } from '../errors';

/**
 * Runs a call that writes the tasks `ids`. When it fails with ConnectionError, the error names
 * them: the caller cannot tell from the failure alone whether Redis wrote them just before the
 * reply was lost, and retries with these ids (onDuplicate 'return-matching') to find out.
 */
export async function withTaskIdsOnFailure<T>(
  ids: readonly string[],
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw error instanceof ConnectionError ? error.forTasks(ids) : error;
  }
}
