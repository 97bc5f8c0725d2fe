import { Broker, ClaimRequest } from '../broker/broker';
import { ClaimedTask } from '../broker/claimed-task';
import { Outcome, OutcomeResult } from '../broker/outcome';

/** Settle calls in flight at once: two lets Redis and this process work at the same time. */
const MAX_IN_FLIGHT = 2;

interface PendingOutcome {
  outcome: Outcome;
  resolve(result: OutcomeResult): void;
  reject(error: unknown): void;
}

/** Where the tasks of a claim go: the consumer loop. */
export interface ClaimReceiver {
  /** `requested` slots were asked for; `tasks` came back (fewer: the queues ran dry). */
  claimed(tasks: ClaimedTask[], requested: number, nextDueIn: number | undefined): void;
  claimFailed(requested: number, error: unknown): void;
}

/**
 * Gathers a worker's outcome writes and claim requests and sends them as settle script calls:
 * one round trip acknowledges the runs that just finished and fetches their successors.
 * Up to two calls are in flight, each carrying at most half of the worker's slots, so Redis
 * works on one while this process runs the tasks of the other.
 */
export class Settler {
  private outcomes: PendingOutcome[] = [];
  private wanted = 0;
  private scheduled = false;
  private inFlight = 0;
  private readonly perCall: number;
  private receiver?: ClaimReceiver;

  constructor(
    private readonly broker: Broker,
    private readonly claimFrom: Omit<ClaimRequest, 'count'>,
    concurrency: number,
  ) {
    this.perCall = Math.max(1, Math.ceil(concurrency / MAX_IN_FLIGHT));
  }

  /** Where claimed tasks go (the consumer loop, which is built after this). */
  deliverClaimsTo(receiver: ClaimReceiver): void {
    this.receiver = receiver;
  }

  /** Queues an outcome for the next settle call; resolves with what the script did. */
  record(outcome: Outcome): Promise<OutcomeResult> {
    return new Promise((resolve, reject) => {
      this.outcomes.push({ outcome, resolve, reject });
      this.schedule();
    });
  }

  /** Asks for `count` more tasks; they arrive through the receiver. */
  claim(count: number): void {
    this.wanted += count;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT) return;
    this.scheduled = true;
    // A microtask: runs ending in the same turn (their handlers resolved by one reply) and
    // the claims for their slots join one call.
    queueMicrotask(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const outcomes = this.outcomes.splice(0, this.perCall);
    const count = Math.min(this.wanted, this.perCall);
    this.wanted -= count;
    if (outcomes.length === 0 && count === 0) return;
    this.inFlight++;
    if (this.outcomes.length > 0 || this.wanted > 0) this.schedule();
    try {
      const settled = await this.broker.settle(
        outcomes.map((pending) => pending.outcome),
        { ...this.claimFrom, count },
      );
      outcomes.forEach((pending, i) => pending.resolve(settled.results[i]));
      if (count > 0) this.receiver?.claimed(settled.tasks, count, settled.nextDueIn);
    } catch (error) {
      for (const pending of outcomes) pending.reject(error);
      if (count > 0) this.receiver?.claimFailed(count, error);
    } finally {
      this.inFlight--;
      if (this.outcomes.length > 0 || this.wanted > 0) this.schedule();
    }
  }
}
