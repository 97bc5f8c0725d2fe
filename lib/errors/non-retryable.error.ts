import { TaskmillError } from './taskmill.error';

/**
 * Throw from a handler to fail the task at once, without using its remaining retries.
 * @example throw new NonRetryableError('recipient address is invalid');
 */
export class NonRetryableError extends TaskmillError {}
