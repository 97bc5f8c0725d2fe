import { Broker, ClaimRequest } from '../broker/broker';
import { ClaimedTask } from '../broker/claimed-task';
import { Outcome, OutcomeResult } from '../broker/outcome';
import { isTransientRedisError } from '../redis/connection-errors';
import { computeBackoff } from './backoff';

/** Settle calls in flight at once: two lets Redis and this process work at the same time. */
const MAX_IN_FLIGHT = 2;
/** Outcomes that could not be written (Redis unreachable or full) are tried again: 0.2 s to 5 s. */
const OUTCOME_RETRY = { type: 'exponential', delay: 200, ceiling: 5_000 } as const;

interface PendingOutcome {
  outcome: Outcome;
  resolve(result: OutcomeResult): void;
  reject(error: unknown): void;
}

/** The command connection, as the settler needs to know it. */
export interface CommandLink {
  /**
   * A claiming call cannot simply be given up on (it could still run and lease tasks to no
   * one), so one unanswered for `stallMs` reopens the connection.
   */
  stallMs: number;
  reopen(): void;
  /**
   * How many times the connection closed so far. ioredis sends the calls that were on the wire
   * again once it reconnects, and Redis may have run them already (a server that froze, or
   * answered just before the socket went): a reply then describes a second run.
   */
  closes(): number;
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
 *
 * While Redis is unreachable, restarting or out of memory, finished runs' outcomes stay here
 * and are written when it answers again (at the latest when the connection is back). The
 * buffer is bounded by the worker's concurrency: nothing new is claimed while writes fail.
 */
export class Settler {
  private outcomes: PendingOutcome[] = [];
  private wanted = 0;
  private scheduled = false;
  private inFlight = 0;
  /** Set while buffered outcomes wait to be tried again. */
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;
  private closed = false;
  private readonly perCall: number;
  private receiver?: ClaimReceiver;

  constructor(
    private readonly broker: Broker,
    private readonly claimFrom: Omit<ClaimRequest, 'count'>,
    concurrency: number,
    private readonly link: CommandLink,
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

  /** Redis answers again: write what is buffered now rather than at the next retry. */
  retryNow(): void {
    if (!this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.schedule();
  }

  /**
   * Shutdown: buffered outcomes get one last try, and from now on a failed write is given up
   * (its task's lease expires and the task runs again elsewhere: nothing is lost).
   */
  close(): void {
    this.closed = true;
    this.retryNow();
  }

  private schedule(): void {
    if (this.scheduled || this.retryTimer || this.inFlight >= MAX_IN_FLIGHT) return;
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
    const watchdog = count > 0 ? setTimeout(this.link.reopen, this.link.stallMs) : undefined;
    const closes = this.link.closes();
    try {
      const settled = await this.broker.settle(
        outcomes.map((pending) => pending.outcome),
        { ...this.claimFrom, count },
      );
      this.failures = 0;
      const resent = this.link.closes() !== closes;
      outcomes.forEach((pending, i) => this.settled(pending, settled.results[i], resent));
      if (count > 0) this.receiver?.claimed(settled.tasks, count, settled.nextDueIn);
    } catch (error) {
      if (outcomes.length > 0 && !this.closed && isTransientRedisError(error)) {
        // Back to the front, in order: they are written before anything that ended later. The
        // call may have run all the same (a timeout does not stop Redis): mark them repeats.
        for (const pending of outcomes) pending.outcome = { ...pending.outcome, repeat: true };
        this.outcomes.unshift(...outcomes);
        this.retryLater();
      } else {
        for (const pending of outcomes) pending.reject(error);
      }
      if (count > 0) this.receiver?.claimFailed(count, error);
    } finally {
      clearTimeout(watchdog);
      this.inFlight--;
      if (this.outcomes.length > 0 || this.wanted > 0) this.schedule();
    }
  }

  /**
   * A refusal from a call ioredis may have sent twice can be the second run refusing what the
   * first recorded: the outcome goes out once more, as a repeat, to find out (see Outcome).
   */
  private settled(pending: PendingOutcome, result: OutcomeResult, resent: boolean): void {
    const refused = result === 'fenced' || result === 'missing';
    if (!resent || !refused || pending.outcome.repeat) return pending.resolve(result);
    pending.outcome = { ...pending.outcome, repeat: true };
    this.outcomes.unshift(pending);
  }

  private retryLater(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        this.schedule();
      },
      computeBackoff(OUTCOME_RETRY, ++this.failures),
    );
  }
}
