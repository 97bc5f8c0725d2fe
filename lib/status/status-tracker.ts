import { Observable } from 'rxjs';
import { KeyBuilder, TASK_FIELDS as F } from '../broker/keys';
import { withConnectionErrors } from '../redis/connection-errors';
import { RedisConnections } from '../redis/redis-connections';
import { Serializer } from '../serialization/serializer';
import { EventsReader, ListenFilter } from './events-reader';
import { decodeHistory, HistoryEntry } from './history';
import { decodeSnapshot, Snapshot, SNAPSHOT_FIELDS, unknownUpdate } from './status-codec';
import { compareStreamIds } from './stream-id';
import { isTerminal, StatusUpdate } from './task-status';

/**
 * Reads task status from Redis and turns the events streams into observables. Every
 * subscription shares the process's one EventsReader.
 */
export class StatusTracker {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: KeyBuilder,
    private readonly serializer: Serializer,
    private readonly reader: EventsReader,
  ) {}

  /** The task's current status; UNKNOWN when it has no record. */
  async status(id: string): Promise<StatusUpdate> {
    return (await this.snapshot(id))?.update ?? unknownUpdate(id);
  }

  /** Every status the task went through, oldest first (progress updates excluded). */
  async history(id: string): Promise<HistoryEntry[]> {
    const [createdAt, stored] = await withConnectionErrors(() =>
      this.connections.command.hmget(this.keys.task(id), F.createdAt, F.history),
    );
    return decodeHistory(createdAt, stored);
  }

  /**
   * The current status first, then every change in order; completes after a terminal status.
   * An id without a record yields one UNKNOWN update and completes.
   */
  status$(id: string, knownQueue?: string): Observable<StatusUpdate> {
    return new Observable<StatusUpdate>((subscriber) => {
      let stop: (() => void) | undefined;
      let cancelled = false;
      let lastStreamId: string | undefined;
      const early: [StatusUpdate, string][] = [];
      const emit = (update: StatusUpdate, streamId: string) => {
        if (lastStreamId === undefined) return void early.push([update, streamId]);
        if (compareStreamIds(streamId, lastStreamId) <= 0) return;
        lastStreamId = streamId;
        subscriber.next(update);
        if (isTerminal(update.status)) subscriber.complete();
      };
      const start = async () => {
        const queue =
          knownQueue ??
          (await withConnectionErrors(() =>
            this.connections.command.hget(this.keys.task(id), F.queue),
          ));
        if (queue === null) return this.finishUnknown(subscriber, id);
        stop = await this.reader.listen({ queue, id }, emit);
        if (cancelled) return stop();
        const snapshot = await this.snapshot(id);
        if (!snapshot) return this.finishUnknown(subscriber, id);
        lastStreamId = snapshot.streamId;
        subscriber.next(snapshot.update);
        if (isTerminal(snapshot.update.status)) return subscriber.complete();
        for (const [update, streamId] of early.splice(0)) emit(update, streamId);
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
        .listen(filter, (update) => subscriber.next(update))
        .then((remove) => (cancelled ? remove() : (stop = remove)))
        .catch((error: unknown) => subscriber.error(error));
      return () => {
        cancelled = true;
        stop?.();
      };
    });
  }

  private async snapshot(id: string): Promise<Snapshot | undefined> {
    const values = await withConnectionErrors(() =>
      this.connections.command.hmget(this.keys.task(id), ...SNAPSHOT_FIELDS),
    );
    return decodeSnapshot(id, values, this.serializer);
  }

  private finishUnknown(
    subscriber: { next(u: StatusUpdate): void; complete(): void },
    id: string,
  ): void {
    subscriber.next(unknownUpdate(id));
    subscriber.complete();
  }
}
