import { ResolvedBackoff } from '../options/task.options';

/**
 * Delay before the next attempt after `failures` failed runs (1 after the first failure).
 * constant: delay; linear: delay × failures; exponential: delay × 2^(failures-1).
 * Jitter picks uniformly in [delay/2, delay]; floor and ceiling clip the final value, as in
 * Alsek's Backoff.
 */
export function computeBackoff(
  backoff: ResolvedBackoff,
  failures: number,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, failures);
  let delay: number;
  switch (backoff.type) {
    case 'constant':
      delay = backoff.delay;
      break;
    case 'linear':
      delay = backoff.delay * n;
      break;
    case 'exponential':
      delay = backoff.delay * 2 ** Math.min(n - 1, 1000);
      break;
  }
  if (backoff.jitter) delay = delay / 2 + random() * (delay / 2);
  if (backoff.floor !== undefined) delay = Math.max(delay, backoff.floor);
  if (backoff.ceiling !== undefined) delay = Math.min(delay, backoff.ceiling);
  return Math.round(Math.min(delay, Number.MAX_SAFE_INTEGER));
}
