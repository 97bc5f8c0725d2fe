import { NonRetryableError } from './non-retryable.error';

/**
 * A guard on a `@Task` handler (or its class, or a global one) returned false: the run fails at
 * once, without retries, as another attempt would be refused the same way.
 */
export class TaskForbiddenError extends NonRetryableError {
  constructor(
    readonly taskName: string,
    readonly source: string,
  ) {
    super(
      `Task "${taskName}" was refused by a guard of ${source}; the task failed without retries. ` +
        `Check the guards bound with @UseGuards() on the handler, its class or the app.`,
    );
  }
}
