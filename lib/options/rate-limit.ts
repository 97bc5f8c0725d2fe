import { checkInteger, checkKnownKeys, checkObject } from '../validation/checks';

/**
 * At most `max` runs start in any interval of `perMs` ms, across every worker (a sliding
 * window: never 2 × max across a boundary, as fixed windows allow). Retries count as starts.
 */
export interface RateLimit {
  max: number;
  perMs: number;
}

/** The largest window: a day (the start log keeps each start that long). */
const MAX_PER_MS = 86_400_000;
/** The most starts a window may hold (the start log keeps one entry per start). */
const MAX_STARTS = 1_000_000;

/** Validates a rate limit option at `field`: `max` and `perMs` positive integers. */
export function validateRateLimit(value: unknown, field: string): RateLimit {
  const raw = checkObject(value, field);
  checkKnownKeys(raw, ['max', 'perMs'], field);
  return {
    max: checkInteger(raw.max, `${field}.max`, { min: 1, max: MAX_STARTS }),
    perMs: checkInteger(raw.perMs, `${field}.perMs`, { min: 1, max: MAX_PER_MS }),
  };
}
