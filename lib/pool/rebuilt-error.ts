import { ErrorDetails, NonRetryableError } from '../errors';

/**
 * An error thrown on the other side of a pool member's boundary, as an Error here: same name,
 * message and stack, so it is recorded as the handler threw it. A final one (NonRetryableError
 * over there) is a NonRetryableError here too, so the retry policy treats it the same.
 */
export function rebuildError(details: ErrorDetails, final: boolean): Error {
  const error = final ? new NonRetryableError(details.message) : new Error(details.message);
  error.name = details.name;
  if (details.stack !== undefined) error.stack = details.stack;
  return error;
}
