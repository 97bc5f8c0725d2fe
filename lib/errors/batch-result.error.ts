import { NonRetryableError } from './non-retryable.error';

/**
 * A `@Task({ batch })` handler did not return one result per item (an array as long as the
 * batch, in the items' order): no item's outcome can be told, so every item fails, without
 * retries — the same handler would answer the same way again.
 */
export class BatchResultError extends NonRetryableError {
  constructor(
    readonly taskName: string,
    readonly source: string,
    readonly items: number,
    got: string,
  ) {
    super(
      `The batch handler ${source} of task "${taskName}" returned ${got} for a batch of ${items} ` +
        `items; return an array of ${items} results in the items' order (an Error in place of a ` +
        `result fails that item alone).`,
    );
  }
}
