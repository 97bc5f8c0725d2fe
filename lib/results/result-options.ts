import { checkDuration, checkKnownKeys, checkObject } from '../validation/checks';

/** How long to wait for results: `result()`, `results()`, `allResults()`, `allSettled()`. */
export interface ResultOptions {
  /**
   * Reject with ResultTimeoutError (naming the tasks still pending) after this many ms.
   * Default: wait as long as it takes.
   */
  timeout?: number;
}

/**
 * The `{ timeout? }` of result(), results(), allResults() and allSettled(): its ms, or
 * undefined to wait as long as it takes. `result(5000)` or a misspelt key is refused rather
 * than read as "no timeout".
 */
export function checkResultTimeout(options: unknown): number | undefined {
  const checked = checkObject(options ?? {}, 'options');
  checkKnownKeys(checked, ['timeout'], '');
  return checked.timeout === undefined ? undefined : checkDuration(checked.timeout, 'timeout');
}
