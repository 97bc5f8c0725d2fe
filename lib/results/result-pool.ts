import { lastValueFrom, Observable, Subscriber, tap, toArray } from 'rxjs';
import { TASK_FIELDS as F } from '../broker/keys';
import { TaskRouter } from '../broker/task-router';
import { QueueClosedError, ResultTimeoutError } from '../errors';
import { RedisConnections } from '../redis/redis-connections';
import { EventsReader } from '../status/events-reader';
import { TrackedUpdate } from '../status/status-codec';
import { compareStreamIds } from '../status/stream-id';
import { HeldEvents } from '../status/held-events';
import { endsFollow, isTerminal, TaskStatus } from '../core/task-status';
import { ResultStore } from './result-store';
import { settlementOf, TaskSettlement } from './settlement';

/** One task to wait for; its queue when known (from enqueue) saves a lookup. */
export interface ResultTarget {
  id: string;
  queue?: string;
}

/**
 * Waits for many tasks at once (Alsek's ResultPool, sheppy's get_results): one listener per
 * queue on the shared events reader, filtered by the set of pending ids, whatever the number of
 * tasks, plus one pipelined snapshot read for the tasks that finished already.
 */
export class ResultPool {
  constructor(
    private readonly connections: RedisConnections,
    private readonly router: TaskRouter,
    private readonly reader: EventsReader,
    private readonly results: ResultStore,
  ) {}

  /**
   * Each task's settlement as it finishes (those finished already first, by finish time);
   * completes when all settled, errors with ResultTimeoutError after `timeoutMs`.
   */
  settle$(targets: ResultTarget[], timeoutMs?: number): Observable<TaskSettlement> {
    return new Observable<TaskSettlement>((subscriber) => {
      const wait = new Wait(subscriber, targets);
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              const pending = wait.pendingIds();
              subscriber.error(new ResultTimeoutError(pending[0], timeoutMs, pending));
            }, timeoutMs);
      this.start(wait, targets).catch((error: unknown) => subscriber.error(error));
      return () => {
        clearTimeout(timer);
        wait.close();
      };
    });
  }

  /** Every value, in the targets' order; rejects with the first non-success's error. */
  async all(targets: ResultTarget[], timeoutMs?: number): Promise<unknown[]> {
    const values = new Map<string, unknown>();
    const all$ = this.settle$(targets, timeoutMs).pipe(
      tap((settlement) => {
        // Throwing here ends the wait at once: the listeners go, like Promise.all's early exit.
        if (settlement.status !== TaskStatus.SUCCEEDED) throw settlement.error;
        values.set(settlement.id, settlement.value);
      }),
    );
    await lastValueFrom(all$, { defaultValue: undefined });
    return targets.map(({ id }) => values.get(id));
  }

  /** Every settlement, in the targets' order. */
  async allSettled(targets: ResultTarget[], timeoutMs?: number): Promise<TaskSettlement[]> {
    const settled = await lastValueFrom(this.settle$(targets, timeoutMs).pipe(toArray()));
    const byId = new Map(settled.map((settlement) => [settlement.id, settlement]));
    return targets.map(({ id }) => byId.get(id) as TaskSettlement);
  }

  private async start(wait: Wait, targets: ResultTarget[]): Promise<void> {
    if (wait.done) return;
    const queues = await this.queuesOf(targets);
    const known = targets
      .map(({ id }, i) => ({ id, queue: queues[i] }))
      .filter((target): target is { id: string; queue: string } => target.queue !== null);
    const queueOf = new Map(known.map(({ id, queue }) => [id, queue]));
    // Listening first, then reading: no outcome can fall between the two.
    const distinct = [...new Set(queues.filter((queue): queue is string => queue !== null))];
    await Promise.all(
      distinct.map(async (queue) => {
        const stop = await this.reader.listen(
          { queue },
          (tracked) => this.heard(wait, tracked),
          () => wait.fail(new QueueClosedError(`waiting for the results of tasks`)),
          () => this.recheck(wait, queueOf),
        );
        // Unsubscribed (or another listen failed) meanwhile: let go of this one at once.
        if (wait.closed) stop();
        else wait.stops.push(stop);
      }),
    );
    if (wait.closed) return;
    const snapshots = await this.results.getMany(known);
    const finished = known
      .map(({ id }, i) => ({ id, ...snapshots[i] }))
      .filter(
        ({ id, outcome }) =>
          isTerminal(outcome.status) ||
          // Gone already (resultTtl 0): its final event, if heard meanwhile, settles it below.
          (outcome.status === TaskStatus.UNKNOWN && !wait.heardEarly(id)),
      )
      .sort((a, b) => compareStreamIds(a.changedAt ?? '0-0', b.changedAt ?? '0-0'));
    for (const target of targets.filter((_, i) => queues[i] === null)) {
      wait.settle(settlementOf(target.id, { status: TaskStatus.UNKNOWN }));
    }
    for (const { id, outcome } of finished) wait.settle(settlementOf(id, outcome));
    wait.ready(async (tracked) =>
      settlementOf(tracked.update.id, await this.results.outcomeOf(tracked, tracked.update.queue)),
    );
  }

  private heard(wait: Wait, tracked: TrackedUpdate): void {
    if (endsFollow(tracked.update.status)) wait.heard(tracked);
  }

  /**
   * Redis may have lost data: read the pending tasks again (one pipelined batch). Those gone
   * settle UNKNOWN (no event will ever come for them), those finished meanwhile settle too.
   */
  private recheck(wait: Wait, queueOf: Map<string, string>): void {
    wait.recheck(async (ids) => {
      const snapshots = await this.results.getMany(
        ids.map((id) => ({ id, queue: queueOf.get(id) })),
      );
      return ids.map((id, i) => settlementOf(id, snapshots[i].outcome));
    });
  }

  /** The queue of each target, read (pipelined) for those not known; null: no record. */
  private queuesOf(targets: ResultTarget[]): Promise<(string | null)[]> {
    const { command } = this.connections;
    return this.connections.guard(() =>
      Promise.all(
        targets.map(
          ({ id, queue }) => queue ?? command.hget(this.router.slotOfTask(id).task(id), F.queue),
        ),
      ),
    );
  }
}

/** The state of one subscription: pending ids, events heard before the snapshot, listeners. */
class Wait {
  readonly stops: (() => void)[] = [];
  closed = false;
  private readonly pending: Set<string>;
  /** Final events heard before the snapshot read is applied. */
  private readonly held = new HeldEvents<TrackedUpdate>();
  /** Settlements are emitted in the order their events arrived, even when one needs a read. */
  private chain: Promise<void> = Promise.resolve();
  /** A re-check waits in the chain: the next loss report needs no second one. */
  private recheckQueued = false;

  constructor(
    private readonly subscriber: Subscriber<TaskSettlement>,
    targets: ResultTarget[],
  ) {
    this.pending = new Set(targets.map(({ id }) => id));
    if (this.pending.size === 0) subscriber.complete();
  }

  get done(): boolean {
    return this.pending.size === 0 || this.closed;
  }

  pendingIds(): string[] {
    return [...this.pending];
  }

  heard(tracked: TrackedUpdate): void {
    if (!this.pending.has(tracked.update.id) || this.closed) return;
    this.held.heard(tracked);
  }

  /** A final event of `id` arrived before the snapshot. */
  heardEarly(id: string): boolean {
    return this.held.find((tracked) => tracked.update.id === id) !== undefined;
  }

  /** The snapshot is in: events heard meanwhile, then live ones, settle in arrival order. */
  ready(decode: (tracked: TrackedUpdate) => Promise<TaskSettlement | undefined>): void {
    this.held.release((tracked) => this.enqueue(tracked, decode));
  }

  settle(settlement: TaskSettlement | undefined): void {
    if (!settlement || this.closed || !this.pending.delete(settlement.id)) return;
    this.subscriber.next(settlement);
    if (this.pending.size === 0) this.subscriber.complete();
  }

  /**
   * Reads the pending tasks again, in turn with the events being settled; skipped before the
   * first snapshot (it is still to come) and while one is queued. A failed read is dropped:
   * the reader reports again once its connection is back.
   */
  recheck(read: (ids: string[]) => Promise<(TaskSettlement | undefined)[]>): void {
    if (this.held.holding || this.recheckQueued || this.done) return;
    this.recheckQueued = true;
    this.chain = this.chain
      .then(() => {
        this.recheckQueued = false;
        return this.done ? [] : read(this.pendingIds());
      })
      .then(
        (settlements) => settlements.forEach((settlement) => this.settle(settlement)),
        () => undefined,
      );
  }

  close(): void {
    this.closed = true;
    for (const stop of this.stops.splice(0)) stop();
  }

  /** Ends the wait with `error` (unsubscribing, which calls close()). */
  fail(error: Error): void {
    if (!this.closed) this.subscriber.error(error);
  }

  private enqueue(
    tracked: TrackedUpdate,
    decode: (tracked: TrackedUpdate) => Promise<TaskSettlement | undefined>,
  ): void {
    this.chain = this.chain
      .then(() => decode(tracked))
      .then(
        (settlement) => this.settle(settlement),
        (error: unknown) => this.subscriber.error(error),
      );
  }
}
