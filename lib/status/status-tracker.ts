import { map, Observable } from 'rxjs';
import { TASK_FIELDS as F } from '../broker/keys';
import { TaskRouter } from '../broker/task-router';
import { QueueClosedError } from '../errors';
import { RedisConnections } from '../redis/redis-connections';
import { Serializer } from '../serialization/serializer';
import { EventsReader, ListenFilter } from './events-reader';
import { decodeHistory, HistoryEntry } from './history';
import {
  decodeSnapshot,
  SNAPSHOT_FIELDS,
  TrackedUpdate,
  unknownUpdate,
  vanishedUpdate,
} from './status-codec';
import { compareStreamIds } from './stream-id';
import { HeldEvents } from './held-events';
import { endsFollow, isTerminal, StatusUpdate } from '../core/task-status';

/**
 * Reads task status from Redis and turns the events streams into observables. Every
 * subscription shares the process's one EventsReader.
 */
export class StatusTracker {
  constructor(
    private readonly connections: RedisConnections,
    private readonly router: TaskRouter,
    private readonly serializer: Serializer,
    private readonly reader: EventsReader,
    /** Whether the update streams keep error stacks (see the module option stacksInUpdates). */
    private readonly stacksInUpdates = false,
  ) {}

  /** The task's current status; UNKNOWN when it has no record. */
  async status(id: string, queue?: string): Promise<StatusUpdate> {
    return ((await this.snapshot(id, false, queue)) ?? unknownUpdate(id)).update;
  }

  /** Every status the task went through, oldest first (progress updates excluded). */
  async history(id: string, queue?: string): Promise<HistoryEntry[]> {
    const key = this.router.slotOfTask(id, queue).task(id);
    const [createdAt, stored] = await this.connections.guard(() =>
      this.connections.command.hmget(key, F.createdAt, F.history),
    );
    return decodeHistory(createdAt, stored);
  }

  /**
   * The current status first, then every change in order; completes after a terminal status.
   * An id without a record yields one UNKNOWN update and completes, and so does a followed
   * task whose record vanishes (Redis lost its data): see EventsReader.
   */
  status$(id: string, knownQueue?: string): Observable<StatusUpdate> {
    return this.watch$(id, knownQueue, false).pipe(
      map((tracked) => this.forStream(tracked.update)),
    );
  }

  /**
   * status$ with what Redis sent along: the stream ids, and the serialised result on
   * SUCCEEDED when `withResult` (read with the snapshot, or inline in the event when small).
   */
  watch$(
    id: string,
    knownQueue: string | undefined,
    withResult: boolean,
  ): Observable<TrackedUpdate> {
    return new Observable<TrackedUpdate>((subscriber) => {
      let stop: (() => void) | undefined;
      let cancelled = false;
      let last: TrackedUpdate | undefined;
      const held = new HeldEvents<TrackedUpdate>();
      // Only what is newer than the last update passed on: the snapshot may show a held event.
      const emit = (tracked: TrackedUpdate) => {
        if (last === undefined || compareStreamIds(tracked.streamId, last.streamId) <= 0) return;
        last = tracked;
        subscriber.next(tracked);
        if (endsFollow(tracked.update.status)) subscriber.complete();
      };
      const finish = (tracked: TrackedUpdate) => {
        subscriber.next(tracked);
        subscriber.complete();
      };
      // Redis may have lost data: read the task again. Gone, it will never change again, so
      // the follow ends UNKNOWN; there, it carries on from what it shows (only if newer).
      const recheck = () => {
        if (last === undefined) return; // the first snapshot is still to come
        this.snapshot(id, withResult, knownQueue).then(
          (snapshot) => {
            if (subscriber.closed || last === undefined) return;
            if (snapshot) emit(snapshot);
            else finish(vanishedUpdate(last.update));
          },
          // Unreachable again: the reader asks once more after its connection is back.
          () => undefined,
        );
      };
      const key = this.router.slotOfTask(id, knownQueue).task(id);
      const start = async () => {
        const queue =
          knownQueue ??
          (await this.connections.guard(() => this.connections.command.hget(key, F.queue)));
        if (queue === null) return finish(unknownUpdate(id));
        stop = await this.reader.listen(
          { queue, id },
          (tracked) => held.heard(tracked),
          () => subscriber.error(new QueueClosedError(`following task ${id}`)),
          recheck,
        );
        if (cancelled) return stop();
        const snapshot = await this.snapshot(id, withResult, queue);
        if (!snapshot) {
          // Gone already: with resultTtl 0, a task that finished since the listen began leaves
          // only its final event, heard meanwhile (an UNKNOWN one when it vanished running).
          const final = held.find((tracked) => endsFollow(tracked.update.status));
          return finish(final ?? unknownUpdate(id));
        }
        if (isTerminal(snapshot.update.status)) return finish(snapshot);
        last = snapshot;
        subscriber.next(snapshot);
        held.release(emit);
      };
      start().catch((error: unknown) => subscriber.error(error));
      return () => {
        cancelled = true;
        stop?.();
      };
    });
  }

  /** Live status changes of every task (of one queue when given), from every process. */
  events$(filter: Pick<ListenFilter, 'queue'> = {}): Observable<StatusUpdate> {
    return new Observable<StatusUpdate>((subscriber) => {
      let stop: (() => void) | undefined;
      let cancelled = false;
      this.reader
        .listen(
          filter,
          (tracked) => subscriber.next(this.forStream(tracked.update)),
          // A stream of every change simply ends with the application.
          () => subscriber.complete(),
        )
        .then((remove) => (cancelled ? remove() : (stop = remove)))
        .catch((error: unknown) =>
          // Subscribed after the application closed: ends as it would have at the close.
          error instanceof QueueClosedError ? subscriber.complete() : subscriber.error(error),
        );
      return () => {
        cancelled = true;
        stop?.();
      };
    });
  }

  /** An update as the streams show it: without its error's stack unless configured. */
  private forStream(update: StatusUpdate): StatusUpdate {
    if (this.stacksInUpdates || update.error?.stack === undefined) return update;
    const { name, message } = update.error;
    return { ...update, error: { name, message } };
  }

  private async snapshot(
    id: string,
    withResult: boolean,
    queue?: string,
  ): Promise<TrackedUpdate | undefined> {
    const fields = withResult ? [...SNAPSHOT_FIELDS, F.result] : SNAPSHOT_FIELDS;
    const key = this.router.slotOfTask(id, queue).task(id);
    const values = await this.connections.guard(() =>
      this.connections.command.hmget(key, ...fields),
    );
    return decodeSnapshot(id, values, this.serializer);
  }
}
