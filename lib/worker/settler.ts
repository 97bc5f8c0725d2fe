import type { Observer } from 'rxjs';
import { Broker, ClaimRequest, SettleResult } from '../broker/broker';
import type { SlotKeys } from '../broker/keys';
import type { SlotGroup } from '../broker/task-router';
import { ClaimedTask } from '../broker/claimed-task';
import type { QueueOrder } from '../options/module.options';
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

/**
 * What came of a claim, on the settler's answers stream (the consumer loop reads it): for
 * `requested` slots, the `tasks` that came back (fewer: the queues ran dry), or the error.
 */
export type ClaimAnswer =
  | { requested: number; tasks: ClaimedTask[]; nextDueIn: number | undefined }
  | { requested: number; error: unknown };

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

  /** Per claimed queue, in order, the slots of its shards. */
  private readonly claimGroups: SlotGroup[][];
  private turn = 0;

  constructor(
    private readonly broker: Broker,
    private readonly claimFrom: Omit<ClaimRequest, 'count'>,
    concurrency: number,
    private readonly link: CommandLink,
    /** Where each claim's answer goes (the consumer loop listens). */
    private readonly answers: Observer<ClaimAnswer>,
    /** worker.queueOrder: 'fair' starts each claim at the next queue. */
    private readonly order: QueueOrder = 'strict',
  ) {
    this.perCall = Math.max(1, Math.ceil(concurrency / MAX_IN_FLIGHT));
    this.claimGroups = groupsByQueue(broker.router.groups(claimFrom.queues));
  }

  /** Queues an outcome for the next settle call; resolves with what the script did. */
  record(outcome: Outcome): Promise<OutcomeResult> {
    return new Promise((resolve, reject) => {
      this.outcomes.push({ outcome, resolve, reject });
      this.schedule();
    });
  }

  /** Asks for `count` more tasks; they arrive on the answers stream. */
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
    try {
      const bySlot = new Map<string, PendingOutcome[]>();
      for (const pending of outcomes) {
        const base = pending.outcome.slot.base;
        bySlot.set(base, [...(bySlot.get(base) ?? []), pending]);
      }
      const order = count > 0 ? this.claimOrder() : [];
      // The first claim call carries its slot's outcomes; the others go at once, in parallel.
      const first = order.length > 0 ? (bySlot.get(order[0].slot.base) ?? []) : [];
      if (order.length > 0) bySlot.delete(order[0].slot.base);
      const claim = count > 0 ? this.claimSlots(order, count, first) : undefined;
      const others = [...bySlot.values()].map((pending) =>
        this.send(pending[0].outcome.slot, pending, undefined).catch(() => undefined),
      );
      const claimed = await claim;
      await Promise.all(others);
      if (claimed?.error === undefined) {
        if (claimed) this.answers.next({ ...claimed, requested: count });
      } else {
        const { tasks, nextDueIn, error } = claimed;
        if (tasks.length > 0) this.answers.next({ requested: tasks.length, tasks, nextDueIn });
        this.answers.next({ requested: count - tasks.length, error });
      }
    } finally {
      clearTimeout(watchdog);
      this.inFlight--;
      if (this.outcomes.length > 0 || this.wanted > 0) this.schedule();
    }
  }

  /**
   * Claims `count` tasks from the slots of `order`, one call at a time, until enough came back;
   * the first call also writes `first`, its slot's outcomes. Stops at the first failed call.
   */
  private async claimSlots(
    order: SlotGroup[],
    count: number,
    first: PendingOutcome[],
  ): Promise<{ tasks: ClaimedTask[]; nextDueIn: number | undefined; error?: unknown }> {
    const tasks: ClaimedTask[] = [];
    let nextDueIn: number | undefined;
    for (const [i, { slot, queues }] of order.entries()) {
      const pending = i === 0 ? first : [];
      try {
        const settled = await this.send(slot, pending, {
          ...this.claimFrom,
          queues,
          count: count - tasks.length,
        });
        tasks.push(...settled.tasks);
        if (settled.nextDueIn !== undefined) {
          nextDueIn = Math.min(nextDueIn ?? Infinity, settled.nextDueIn);
        }
      } catch (error) {
        return { tasks, nextDueIn, error };
      }
      if (tasks.length >= count) break;
    }
    return { tasks, nextDueIn };
  }

  /**
   * The claim slots in the queues' order, each queue's shards starting at the next one; with
   * the 'fair' order, the queues too start at the next one (strict: always at the first).
   */
  private claimOrder(): SlotGroup[] {
    const turn = this.turn++;
    const fair = this.order === 'fair';
    const queues = fair ? rotated(this.claimGroups, turn) : this.claimGroups;
    return queues.flatMap((shards) =>
      rotated(shards, turn).map((group) =>
        fair ? { ...group, queues: rotated(group.queues, turn) } : group,
      ),
    );
  }

  /**
   * One settle call on `slot`: writes `pending` and claims as `claim` asks (nothing when
   * undefined). Outcomes whose write failed on a transient error go back to the front of the
   * buffer, as repeats; others are settled. Rejects when the call failed.
   */
  private async send(
    slot: SlotKeys,
    pending: PendingOutcome[],
    claim: ClaimRequest | undefined,
  ): Promise<SettleResult> {
    const closes = this.link.closes();
    try {
      const settled = await this.broker.settle(
        slot,
        pending.map((entry) => entry.outcome),
        claim ?? { ...this.claimFrom, queues: [], count: 0 },
      );
      if (settled.unconfirmed && pending.length > 0 && !this.closed) {
        // Written on the primary, not yet on enough replicas: written again (a repeat, which
        // the script answers from what is there) until a WAIT confirms it.
        this.requeue(pending);
        return settled;
      }
      this.failures = 0;
      const resent = this.link.closes() !== closes;
      pending.forEach((entry, i) => this.settled(entry, settled.results[i], resent));
      return settled;
    } catch (error) {
      if (pending.length > 0 && !this.closed && isTransientRedisError(error)) {
        this.requeue(pending);
      } else {
        for (const entry of pending) entry.reject(error);
      }
      throw error;
    }
  }

  /**
   * Outcomes to write again, back at the front, in order: they are written before anything
   * that ended later. Their call may have run all the same (a timeout does not stop Redis):
   * they go as repeats.
   */
  private requeue(pending: PendingOutcome[]): void {
    for (const entry of pending) entry.outcome = { ...entry.outcome, repeat: true };
    this.outcomes.unshift(...pending);
    this.retryLater();
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

/**
 * Claim groups by the first queue each holds, in the queues' order: a queue's shards take turns
 * among themselves, and queues keep their order. One group (the prefix's slot) when not spread.
 */
function groupsByQueue(groups: SlotGroup[]): SlotGroup[][] {
  const byQueue = new Map<string, SlotGroup[]>();
  for (const group of groups) {
    const queue = group.queues[0];
    byQueue.set(queue, [...(byQueue.get(queue) ?? []), group]);
  }
  return [...byQueue.values()];
}

/** `items` starting at the `turn`-th (modulo their number), the ones before it after them. */
function rotated<T>(items: readonly T[], turn: number): T[] {
  const first = turn % items.length;
  return [...items.slice(first), ...items.slice(0, first)];
}
