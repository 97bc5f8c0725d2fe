import { Subject } from 'rxjs';
import { Broker } from '../broker/broker';
import { TaskRunner } from './task-runner';
import { WorkerEvent } from './worker-event';

/**
 * Renews the leases of every task this worker runs, in one batched call a few times per
 * lease period, and aborts runs whose lease was taken over by a newer attempt.
 */
export class LeaseKeeper {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly broker: Broker,
    private readonly runner: TaskRunner,
    private readonly leaseMs: number,
    private readonly events: Subject<WorkerEvent>,
  ) {}

  start(): void {
    // Three renewals per lease: one late or failed renewal never lets a healthy lease expire.
    this.timer ??= setInterval(
      () => void this.renewAll(),
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async renewAll(): Promise<void> {
    const runs = this.runner.inFlight();
    if (runs.length === 0) return;
    try {
      const lost = await this.broker.renewLeases(this.leaseMs, runs);
      for (const id of lost) this.runner.abort(id, 'lease-lost');
    } catch (error) {
      this.events.next({ type: 'worker.error', error: error as Error });
    }
  }
}
