import { Broker, ClaimRequest, SettleResult } from '../broker/broker';
import { Outcome, OutcomeResult } from '../broker/outcome';

interface PendingOutcome {
  outcome: Outcome;
  resolve(result: OutcomeResult): void;
  reject(error: unknown): void;
}

interface PendingClaim {
  count: number;
  resolve(batch: Pick<SettleResult, 'tasks' | 'nextDueIn'>): void;
  reject(error: unknown): void;
}

/**
 * Gathers a worker's outcome writes and its next claim during one turn of the event loop and
 * sends them as a single settle script call: one round trip acknowledges every run that just
 * finished and fetches their successors.
 */
export class Settler {
  private outcomes: PendingOutcome[] = [];
  private claimWanted?: PendingClaim;
  private scheduled = false;

  constructor(
    private readonly broker: Broker,
    private readonly claimFrom: Omit<ClaimRequest, 'count'>,
  ) {}

  /** Queues an outcome for the next settle call; resolves with what the script did. */
  record(outcome: Outcome): Promise<OutcomeResult> {
    return new Promise((resolve, reject) => {
      this.outcomes.push({ outcome, resolve, reject });
      this.schedule();
    });
  }

  /** Asks the next settle call to claim up to `count` tasks (one claim at a time). */
  claim(count: number): Promise<Pick<SettleResult, 'tasks' | 'nextDueIn'>> {
    return new Promise((resolve, reject) => {
      this.claimWanted = { count, resolve, reject };
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Runs ending in the same turn (their handlers resolved by one reply) join one call.
    queueMicrotask(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const outcomes = this.outcomes;
    const claim = this.claimWanted;
    this.outcomes = [];
    this.claimWanted = undefined;
    try {
      const settled = await this.broker.settle(
        outcomes.map((pending) => pending.outcome),
        { ...this.claimFrom, count: claim?.count ?? 0 },
      );
      outcomes.forEach((pending, i) => pending.resolve(settled.results[i]));
      claim?.resolve(settled);
    } catch (error) {
      for (const pending of outcomes) pending.reject(error);
      claim?.reject(error);
    }
  }
}
