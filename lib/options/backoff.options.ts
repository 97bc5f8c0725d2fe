/** How long to wait before a failed task's next attempt. A number means a constant delay. */
export type BackoffOption = BackoffOptions | number;

export interface BackoffOptions {
  /** `constant`: delay; `linear`: delay × n; `exponential`: delay × 2^(n-1), n = failures so far. */
  type: 'constant' | 'linear' | 'exponential';
  /** Base delay in ms. */
  delay: number;
  /** Lower bound in ms applied after the formula (and after jitter). */
  floor?: number;
  /** Upper bound in ms applied after the formula (and after jitter). */
  ceiling?: number;
  /** Spread retries: pick uniformly between half the computed delay and all of it. */
  jitter?: boolean;
}
