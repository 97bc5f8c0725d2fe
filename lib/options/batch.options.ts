import { InvalidOptionsError } from '../errors';
import { checkInteger, checkKnownKeys, checkObject } from '../validation/checks';

/**
 * `@Task({ batch })`: the worker hands the handler up to `size` tasks of this name in one call
 * (a `TaskBatch`), waiting at most `waitMs` after the first for the batch to fill.
 */
export interface BatchOptions {
  /** The most tasks in one call. */
  size: number;
  /** How long a batch that is not full waits for more tasks, in ms (0: it runs at once). */
  waitMs: number;
}

/** The most items of one batch: every item is a lease the worker renews. */
const MAX_BATCH_SIZE = 10_000;
/** The longest wait for a batch to fill: a minute (its items' leases are renewed meanwhile). */
const MAX_BATCH_WAIT_MS = 60_000;

/**
 * Validates `@Task({ batch })` at `field`. A batch runs on the worker's event loop: a pool
 * member runs one task at a time, so `mechanism: 'thread' | 'process'` cannot serve one.
 */
export function validateBatch(
  value: unknown,
  field: string,
  /** `@Task({ mechanism })`, validated already. */
  mechanism: string | undefined,
): BatchOptions {
  const raw = checkObject(value, field);
  checkKnownKeys(raw, ['size', 'waitMs'], field);
  const batch = {
    size: checkInteger(raw.size, `${field}.size`, { min: 1, max: MAX_BATCH_SIZE }),
    waitMs: checkInteger(raw.waitMs, `${field}.waitMs`, { min: 0, max: MAX_BATCH_WAIT_MS }),
  };
  if (mechanism !== undefined && mechanism !== 'async') {
    throw new InvalidOptionsError(
      field,
      `cannot be combined with mechanism '${mechanism}': a batch handler runs on the worker's ` +
        `event loop (a pool member runs one task at a time); drop 'mechanism' or 'batch'`,
    );
  }
  return batch;
}
