import { MAX_TIMER_MS } from '../validation/checks';

/**
 * Fires once when the earliest delayed task this worker knows of falls due. Redis's blocking
 * timeouts are only ~100 ms precise, so the wake-up at the due time is a local timer.
 */
export class DueTimer {
  private timer?: NodeJS.Timeout;
  private dueAt = Infinity;

  constructor(private readonly onDue: () => void) {}

  /** Fires in `inMs`, unless already set to fire sooner. */
  schedule(inMs: number): void {
    const dueAt = Date.now() + inMs;
    if (this.timer && dueAt >= this.dueAt) return;
    clearTimeout(this.timer);
    this.dueAt = dueAt;
    // A Node.js timer cannot wait longer than MAX_TIMER_MS: fire then, and the next claim
    // reports the remaining time.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.dueAt = Infinity;
        this.onDue();
      },
      Math.min(inMs, MAX_TIMER_MS),
    );
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Infinity;
  }
}
