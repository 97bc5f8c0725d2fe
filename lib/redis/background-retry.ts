import { Logger } from '@nestjs/common';

/**
 * Startup work that must not stop an app from starting while Redis is down (registering
 * schedules, publishing the task catalog): run once, and when that fails, again every
 * `everyMs` in the background until it succeeds or the app stops. The work must be idempotent.
 */
export class BackgroundRetry {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    /** What the work does, for the warning: 'register the @Task schedules'. */
    private readonly what: string,
    private readonly everyMs: number,
  ) {}

  /** Resolves after the first try, whether it succeeded or the retries took over. */
  async run(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn(`could not ${this.what} yet, retrying: ${(error as Error).message}`);
      this.timer = setTimeout(() => void this.run(work), this.everyMs);
      this.timer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
