import { Subject } from 'rxjs';
import { Broker } from '../broker/broker';
import { TaskRunner } from './task-runner';
import { WorkerEvent } from '../core/worker-event';

export interface LeaseSettings {
  leaseMs: number;
  maxReclaims: number;
  queues: string[];
}

/** Handoffs and staged batches older than this are a sweep's to finish (their writer's failed). */
const WORKFLOW_SWEEP_AGE_MS = 5_000;

/**
 * Renews the leases of every task this worker runs, in one batched call a few times per
 * lease period, and aborts runs whose lease was taken over by a newer attempt. On the same
 * tick it offers to sweep expired leases of its queues (one worker sweeps per interval), so a
 * task whose worker died runs again within `leaseMs` plus one interval. In the 'queue' layout the
 * same tick finishes the cross-slot workflow handoffs and staged batches a dead process left in
 * its queues' slots.
 */
export class LeaseKeeper {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly broker: Broker,
    private readonly runner: TaskRunner,
    private readonly settings: LeaseSettings,
    private readonly events: Subject<WorkerEvent>,
  ) {}

  /** Three ticks per lease: one late or failed renewal never lets a healthy lease expire. */
  get intervalMs(): number {
    return Math.max(50, Math.floor(this.settings.leaseMs / 3));
  }

  /** A handoff this old was not delivered by its writer (a few seconds, less for short leases). */
  get workflowAgeMs(): number {
    return Math.min(WORKFLOW_SWEEP_AGE_MS, this.settings.leaseMs);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    // Sweep at once: workers restarting faster than one interval (a crash loop) must still
    // take back what their predecessors left.
    void this.sweepExpired();
  }

  private async tick(): Promise<void> {
    // No sweep while this worker's own renewals fail (Redis frozen or away): its leases would
    // look expired to that sweep, which, queued behind the failed renewal or sent on a new
    // connection, could take back tasks this worker still runs or holds the outcome of. The
    // first tick whose renewal lands sweeps again, after it on the same connection.
    if (await this.renewAll()) await this.sweepExpired();
  }

  /** Takes back tasks of dead workers, unless another worker swept within the interval. */
  async sweepExpired(): Promise<void> {
    const { queues, maxReclaims } = this.settings;
    await Promise.all(
      this.broker.router.groups(queues).map(async ({ slot, queues: own }) => {
        try {
          const swept = await this.broker.reclaimExpired(slot, own, maxReclaims, this.intervalMs);
          if (swept.reclaimed.length > 0 || swept.failed.length > 0) {
            this.events.next({ type: 'leases.reclaimed', ...swept });
          }
          if (this.broker.router.spread) await this.broker.sweepWorkflows(slot, this.workflowAgeMs);
        } catch (error) {
          this.events.next({ type: 'worker.error', error: error as Error });
        }
      }),
    );
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** False when the renewal call failed (the leases may be running out on Redis' clock). */
  async renewAll(): Promise<boolean> {
    const runs = this.runner.inFlight();
    if (runs.length === 0) return true;
    try {
      const renewed = await this.broker.renewLeases(this.settings.leaseMs, runs);
      const { lost, cancelled, vanished } = renewed;
      // Before the abort: the run's outcome, fenced, would not say the task is gone.
      for (const id of vanished) this.runner.reportVanished(id);
      for (const run of lost) this.runner.abort(run.id, 'lease-lost', run.attempt);
      // Normally the cancel channel told us already; this catches a missed message.
      for (const id of cancelled) this.runner.abort(id, 'cancel');
      return true;
    } catch (error) {
      this.events.next({ type: 'worker.error', error: error as Error });
      return false;
    }
  }
}
