import { randomUUID } from 'crypto';
import { Logger } from '@nestjs/common';
import { baseOfKey, KEY_FAMILIES, KeyBuilder } from '../broker/keys';
import { Bells } from '../redis/bells';
import { TaskRouter } from '../broker/task-router';
import { BlockingReader, STALL_GRACE_MS } from '../redis/blocking-reader';
import { DataLossWatch } from '../redis/data-loss-watch';
import { RedisConnections } from '../redis/redis-connections';
import { Serializer } from '../serialization/serializer';
import { QueueClosedError } from '../errors';
import { decodeStreamEntry, TrackedUpdate } from './status-codec';

export type StatusListener = (tracked: TrackedUpdate) => void;

/** What a listener wants: one task (its queue must be given), one queue, or every queue. */
export interface ListenFilter {
  queue?: string;
  id?: string;
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

/** How long a queue's stream stays in the read after its last listener left. */
const LINGER_MS = 1_000;
const RETRY_AFTER_ERROR_MS = 500;

/**
 * The process's one blocking reader of the queues' events streams (XREAD BLOCK), shared by
 * every status$ / events$ / result() subscriber. Listening to a new queue interrupts the
 * blocked read through a private "nudge" stream that is always part of the read, so there is
 * no window in which a change of the stream set can be missed.
 *
 * A task wiped with Redis's data (restart without persistence, FLUSHALL) sends no event ever
 * again. So that its followers do not wait forever, the read loop checks a mark of its own in
 * Redis once every blocking timeout (DataLossWatch: one command, whatever the number of
 * followers) and after a failed read; when the mark is gone, or the connection was lost, the
 * listeners that follow tasks are asked to read their tasks again (`onLost`).
 */
export class EventsReader {
  private readonly logger = new Logger('taskmill:EventsReader');
  private readonly readerId = randomUUID();
  private readonly nudgeKey: string;
  private readonly positions = new Map<string, string>();
  private readonly queueRefs = new Map<string, number>();
  private readonly queueOfKey = new Map<string, string>();
  /** Queues no one listens to any more, still read until their timer fires. */
  private readonly lingering = new Map<string, NodeJS.Timeout>();
  /** Queues watched on behalf of every-queue listeners (one reference each). */
  private readonly allModeQueues = new Set<string>();
  private readonly byId = new Map<string, Set<StatusListener>>();
  private readonly byQueue = new Map<string, Set<StatusListener>>();
  private readonly everything = new Set<StatusListener>();
  /** Told when the reader closes: their subscribers would otherwise wait forever. */
  private readonly closeHandlers = new Set<() => void>();
  /** Told when Redis may have lost data: they read again the tasks they wait for. */
  private readonly lossHandlers = new Set<() => void>();
  private readonly lossWatch: DataLossWatch;
  private readonly blocking: BlockingReader;
  /** On Redis Cluster: doorbells instead of XREAD BLOCK (which covers one slot only). */
  private readonly bells?: Bells;
  private loop?: Promise<void>;
  private reading = false;
  private closed = false;

  private readonly keys: KeyBuilder;

  constructor(
    private readonly connections: RedisConnections,
    private readonly router: TaskRouter,
    private readonly serializer: Serializer,
    blockingTimeoutMs: number,
  ) {
    const keys = (this.keys = router.keys);
    this.nudgeKey = keys.nudge(`reader:${this.readerId}`);
    this.blocking = new BlockingReader(
      connections,
      `events:${this.readerId}`,
      blockingTimeoutMs,
      this.nudgeKey,
      (multi) => multi.xadd(this.nudgeKey, 'MAXLEN', '1', '*', 'n', '1'),
    );
    this.positions.set(this.nudgeKey, '0-0');
    if (connections.onCluster && router.spread) {
      this.bells = new Bells(
        connections,
        keys.family('eventsBell'),
        `events-bells:${this.readerId}`,
      );
    }
    this.lossWatch = new DataLossWatch(
      connections,
      keys.presence(this.readerId),
      blockingTimeoutMs,
    );
  }

  /**
   * Registers `listener`; resolves once every event written from then on will reach it.
   * `onClose` runs if the reader closes first (application shutdown); `onLost` whenever Redis
   * may have lost data (see above). Returns the function that removes them all. Refused with
   * QueueClosedError once closed.
   */
  async listen(
    filter: ListenFilter,
    listener: StatusListener,
    onClose: () => void,
    onLost?: () => void,
  ): Promise<() => void> {
    if (this.closed) throw new QueueClosedError(`a listener for task changes was added`);
    this.closeHandlers.add(onClose);
    if (onLost) this.lossHandlers.add(onLost);
    const registry = filter.id
      ? this.listenersOf(this.byId, filter.id)
      : filter.queue
        ? this.listenersOf(this.byQueue, filter.queue)
        : this.everything;
    registry.add(listener);
    let removed = false;
    const remove = () => {
      if (removed) return;
      removed = true;
      this.closeHandlers.delete(onClose);
      if (onLost) this.lossHandlers.delete(onLost);
      registry.delete(listener);
      if (filter.id && registry.size === 0) this.byId.delete(filter.id);
      if (filter.queue) this.unwatchQueue(filter.queue);
      else this.stopWatchingAll();
    };
    try {
      if (filter.queue) await this.watchQueue(filter.queue);
      else await this.startWatchingAll();
    } catch (error) {
      // Undo the registration: a failed listen() must not leave a listener or a reference.
      remove();
      throw error;
    }
    return remove;
  }

  /** True while the blocking read runs (some stream is watched). */
  get active(): boolean {
    return this.reading;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const handlers = [...this.closeHandlers];
    this.closeHandlers.clear();
    for (const handler of handlers) handler();
    for (const timer of this.lingering.values()) clearTimeout(timer);
    this.lingering.clear();
    if (this.reading) await this.wake();
    await this.loop?.catch(() => undefined);
    await this.blocking.close();
    await this.bells?.close();
  }

  private listenersOf(map: Map<string, Set<StatusListener>>, key: string): Set<StatusListener> {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    return set;
  }

  private async watchQueue(queue: string): Promise<void> {
    const lingering = this.lingering.get(queue);
    if (lingering) {
      clearTimeout(lingering);
      this.lingering.delete(queue);
    }
    const refs = this.queueRefs.get(queue) ?? 0;
    this.queueRefs.set(queue, refs + 1);
    const keys = this.streamsOf(queue).filter((key) => !this.positions.has(key));
    if (keys.length === 0) return;
    for (const key of keys) this.queueOfKey.set(key, queue);
    // Start after the newest existing event: the caller takes its snapshot after this point.
    const last = await Promise.all(keys.map((key) => this.lastId(key)));
    keys.forEach((key, i) => this.positions.set(key, last[i]));
    await this.restartRead();
  }

  /** A queue's events streams: one per shard. */
  private streamsOf(queue: string): string[] {
    return this.router.slotsOf(queue).map((slot) => slot.queue(queue, 'events'));
  }

  private unwatchQueue(queue: string): void {
    const refs = (this.queueRefs.get(queue) ?? 1) - 1;
    if (refs > 0) {
      this.queueRefs.set(queue, refs);
      return;
    }
    this.queueRefs.delete(queue);
    // Keep reading the stream a little longer: a caller awaiting results one after another
    // would otherwise make the read restart (and look up the stream's end) for every task.
    const timer = setTimeout(() => this.forgetQueue(queue), LINGER_MS);
    timer.unref();
    this.lingering.set(queue, timer);
  }

  private forgetQueue(queue: string): void {
    this.lingering.delete(queue);
    if (this.queueRefs.has(queue)) return;
    // The running read may still deliver this stream once; those events find no listener.
    for (const key of this.streamsOf(queue)) {
      this.positions.delete(key);
      this.queueOfKey.delete(key);
    }
    // Let the blocked read restart without this stream (and end when nothing is watched).
    if (this.reading && !this.closed) void this.wake();
  }

  /** Watching every queue means watching the queue log too, to learn about new queues. */
  private async startWatchingAll(): Promise<void> {
    const logKey = this.keys.queueLog();
    // Log position first: a queue created after it shows up in the log, if not in the set.
    if (!this.positions.has(logKey)) this.positions.set(logKey, await this.lastId(logKey));
    const queues = await this.connections.guard(() =>
      this.connections.command.smembers(this.keys.queues()),
    );
    await Promise.all(queues.map((queue) => this.watchForAll(queue)));
    await this.restartRead();
  }

  private async watchForAll(queue: string, startAfter?: string): Promise<void> {
    if (this.allModeQueues.has(queue)) return;
    this.allModeQueues.add(queue);
    for (const key of startAfter ? this.streamsOf(queue) : []) {
      if (this.positions.has(key)) continue;
      this.queueOfKey.set(key, queue);
      this.positions.set(key, startAfter as string);
    }
    await this.watchQueue(queue);
  }

  private stopWatchingAll(): void {
    if (this.everything.size > 0) return;
    this.positions.delete(this.keys.queueLog());
    for (const queue of this.allModeQueues) this.unwatchQueue(queue);
    this.allModeQueues.clear();
  }

  private async lastId(key: string): Promise<string> {
    const last = (await this.connections.guard(() =>
      this.connections.command.xrevrange(key, '+', '-', 'COUNT', 1),
    )) as [string, string[]][];
    return last[0]?.[0] ?? '0-0';
  }

  private async restartRead(): Promise<void> {
    if (this.closed) return;
    if (!this.reading) {
      this.reading = true;
      this.loop = this.run();
      return;
    }
    await this.wake();
  }

  /** Makes the blocked read start over with the current set of streams. */
  private wake(): Promise<void> {
    if (this.bells) {
      this.bells.wake();
      return Promise.resolve();
    }
    return this.blocking.wake();
  }

  /** One read of every watched stream: blocking on one server, through the bells on Cluster. */
  private read(): Promise<StreamReply> {
    if (this.bells) return this.readRung(this.bells);
    const keys = [...this.positions.keys()];
    const ids = keys.map((key) => this.positions.get(key) as string);
    return this.blocking.read(
      (redis, timeoutMs) =>
        redis.call('XREAD', 'BLOCK', timeoutMs, 'STREAMS', ...keys, ...ids) as Promise<StreamReply>,
    );
  }

  /**
   * Cluster: arms the events bell of every slot read, reads each slot's streams (one XREAD per
   * slot, which Cluster allows), and when nothing was new waits for a bell (or the timeout).
   */
  private async readRung(bells: Bells): Promise<StreamReply> {
    const bySlot = new Map<string, string[]>();
    for (const key of this.positions.keys()) {
      if (key === this.nudgeKey) continue;
      const base = baseOfKey(key);
      bySlot.set(base, [...(bySlot.get(base) ?? []), key]);
    }
    const timeoutMs = this.blocking.timeoutMs;
    const queueSlots = [...bySlot.keys()].filter((base) => base !== this.keys.base);
    await bells.arm(
      queueSlots.map((base) => `${base}:${KEY_FAMILIES.eventsBell}`),
      timeoutMs + STALL_GRACE_MS,
    );
    const redis = this.connections.command;
    const replies = await Promise.all(
      [...bySlot.values()].map(
        (keys) =>
          redis.call(
            'XREAD',
            'STREAMS',
            ...keys,
            ...keys.map((key) => this.positions.get(key) as string),
          ) as Promise<StreamReply>,
      ),
    );
    const entries = replies.flatMap((reply) => reply ?? []);
    if (entries.length > 0) return entries;
    await bells.wait(new Set(queueSlots), timeoutMs);
    return null;
  }

  private async run(): Promise<void> {
    while (!this.closed && this.positions.size > 1) {
      if (await this.lossWatch.check()) this.reportLoss();
      let reply: StreamReply;
      try {
        reply = await this.read();
      } catch (error) {
        if (this.closed) break;
        this.lossWatch.connectionFailed();
        this.logger.warn(`events read failed, retrying: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_ERROR_MS));
        continue;
      }
      for (const [key, entries] of reply ?? []) this.deliver(key, entries);
    }
    // Same synchronous step as the loop's last check: a later listen() starts a new loop.
    this.reading = false;
    this.lossWatch.reset();
  }

  private reportLoss(): void {
    if (this.lossHandlers.size === 0) return;
    this.logger.warn(
      'Redis may have lost data (a restart without persistence, FLUSHALL, a failover, or a ' +
        `lost connection): ${this.lossHandlers.size} followers read their tasks again`,
    );
    for (const handler of [...this.lossHandlers]) {
      try {
        handler();
      } catch (error) {
        this.logger.error(`a follower's re-check threw: ${(error as Error).message}`);
      }
    }
  }

  private deliver(key: string, entries: [string, string[]][]): void {
    if (!this.positions.has(key) || entries.length === 0) return;
    this.positions.set(key, entries[entries.length - 1][0]);
    if (key === this.nudgeKey) return;
    if (key === this.keys.queueLog()) {
      // A queue that has just been created: read its events stream from its very first entry.
      for (const [, fields] of entries) {
        this.watchForAll(fields[1], '0-0').catch((error: Error) =>
          this.logger.warn(`cannot watch new queue ${fields[1]}: ${error.message}`),
        );
      }
      return;
    }
    const queue = this.queueOfKey.get(key) as string;
    for (const [streamId, fields] of entries) {
      let tracked: TrackedUpdate;
      try {
        tracked = decodeStreamEntry(queue, streamId, fields, this.serializer);
      } catch (error) {
        // Foreign or corrupted data must not stop the reader every observer depends on.
        this.logger.warn(
          `skipped undecodable event ${streamId} of ${key}: ${(error as Error).message}`,
        );
        continue;
      }
      const listeners = [
        ...(this.byId.get(tracked.update.id) ?? []),
        ...(this.byQueue.get(queue) ?? []),
        ...this.everything,
      ];
      for (const listener of listeners) this.notify(listener, tracked);
    }
  }

  private notify(listener: StatusListener, tracked: TrackedUpdate): void {
    try {
      listener(tracked);
    } catch (error) {
      this.logger.error(`a status listener threw: ${(error as Error).message}`);
    }
  }
}
