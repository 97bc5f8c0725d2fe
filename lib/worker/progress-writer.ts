import { Subject } from 'rxjs';
import { Broker, RunRef } from '../broker/broker';
import { isTransientRedisError } from '../redis/connection-errors';
import { computeBackoff } from './backoff';
import { WorkerEvent } from '../core/worker-event';

/** Progress that could not be written (Redis unreachable or full) is tried again: 0.2 s to 5 s. */
const PROGRESS_RETRY = { type: 'exponential', delay: 200, ceiling: 5_000 } as const;

/** One run's progress: the latest value not written yet, and whether a write is under way. */
interface RunProgress {
  run: RunRef;
  /** JSON of the latest value not sent yet; a newer value replaces it (latest wins). */
  latest?: string;
  /** Counts the values given: a failed write is kept again only when nothing newer came. */
  version: number;
  /** A write is in flight or waiting for its retry: new values only replace `latest`. */
  busy: boolean;
  retryTimer?: NodeJS.Timeout;
  failures: number;
}

/**
 * Writes the progress of a worker's runs. Progress is best-effort: while Redis is slow or away
 * it is kept, latest value per run, and written when Redis answers again, as long as the run is
 * on here; it never fails the run. At most one write per run is under way at a time, so writes
 * reach Redis in the order of their values (one connection delivers in order, and ioredis sends
 * a cut-off call again before anything newer), and a value kept for later never lands after a
 * newer one. Once the run ends here, what it still had is dropped; Redis also refuses progress
 * from an attempt that no longer runs (progress-1.lua is fenced).
 */
export class ProgressWriter {
  private readonly runs = new Map<string, RunProgress>();

  constructor(
    private readonly broker: Broker,
    private readonly events: Subject<WorkerEvent>,
  ) {}

  /**
   * Sends `json` as the progress of run `key`; resolves once it was written, or kept for later
   * (Redis unreachable), or at once when a write of this run is under way (it takes the latest
   * value next). Never rejects.
   */
  write(key: string, run: RunRef, json: string): Promise<void> {
    const progress = this.progressOf(key, run);
    progress.latest = json;
    progress.version++;
    if (progress.busy) return Promise.resolve();
    return this.send(key, progress);
  }

  /**
   * Writes `json` now and rejects when it cannot be written (the handler asked to be told).
   * A value kept from before is older: it is dropped so that it cannot land after this one.
   */
  async writeConfirmed(key: string, run: RunRef, json: string): Promise<void> {
    const progress = this.progressOf(key, run);
    progress.latest = undefined;
    progress.version++;
    await this.broker.progress(run, json);
  }

  /** Redis answers again: write what is kept now rather than at the next retry. */
  retryNow(): void {
    for (const [key, progress] of this.runs) {
      if (!progress.retryTimer) continue;
      clearTimeout(progress.retryTimer);
      progress.retryTimer = undefined;
      void this.send(key, progress);
    }
  }

  /** The run ended here: nothing more of it is written. */
  forget(key: string): void {
    const progress = this.runs.get(key);
    if (!progress) return;
    clearTimeout(progress.retryTimer);
    this.runs.delete(key);
  }

  private progressOf(key: string, run: RunRef): RunProgress {
    let progress = this.runs.get(key);
    if (!progress) this.runs.set(key, (progress = { run, version: 0, busy: false, failures: 0 }));
    return progress;
  }

  private async send(key: string, progress: RunProgress): Promise<void> {
    const json = progress.latest;
    progress.latest = undefined;
    if (json === undefined || this.runs.get(key) !== progress) {
      progress.busy = false;
      return;
    }
    progress.busy = true;
    const version = progress.version;
    try {
      const result = await this.broker.progress(progress.run, json);
      progress.failures = 0;
      // Fenced or gone: the run is over in Redis (the lease keeper aborts it); nothing to keep.
      if (result !== 'recorded') return this.forget(key);
    } catch (error) {
      if (!isTransientRedisError(error)) {
        this.events.next({ type: 'worker.error', error: error as Error });
      } else if (this.runs.get(key) === progress) {
        // Kept for later unless a newer value came meanwhile (then that one is what is kept,
        // or, after a confirmed write, nothing: this one must not land after it).
        if (progress.version === version) progress.latest = json;
        progress.retryTimer = setTimeout(
          () => {
            progress.retryTimer = undefined;
            void this.send(key, progress);
          },
          computeBackoff(PROGRESS_RETRY, ++progress.failures),
        );
        return;
      }
    }
    // Values that came while this write was under way: the latest goes next.
    if (progress.latest !== undefined) void this.send(key, progress);
    else progress.busy = false;
  }
}
