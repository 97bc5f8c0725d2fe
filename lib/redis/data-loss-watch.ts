import { RedisConnections } from './redis-connections';

/** The mark outlives a missed check or two, and a stalled process, by this much at least. */
const MIN_MARK_TTL_MS = 60_000;

/**
 * Notices that Redis lost its data (a restart without persistence, FLUSHALL, a failover) for
 * a part that would otherwise wait forever on records that are gone. It keeps a mark of its
 * own in Redis, rewritten by `check()` with one command (SET … GET) whose reply says whether
 * the mark was still there; the caller runs it on a loop it already has, at most once every
 * `everyMs`. A mark found gone, or a check after the connection failed (a reconnect, maybe
 * to a replica that missed writes), reports a possible loss. A false alarm (the process
 * stalled past the mark's lifetime) costs one needless re-read of what the caller follows.
 */
export class DataLossWatch {
  private readonly ttlMs: number;
  private lastCheck = -Infinity;
  private marked = false;
  private suspect = false;

  constructor(
    private readonly connections: RedisConnections,
    private readonly key: string,
    private readonly everyMs: number,
  ) {
    this.ttlMs = Math.max(MIN_MARK_TTL_MS, 4 * everyMs);
  }

  /** A call to Redis failed: check at the next turn, and count it as a loss then. */
  connectionFailed(): void {
    this.suspect = true;
  }

  /** The caller stopped watching: the next check starts afresh (the mark may have expired). */
  reset(): void {
    this.marked = false;
    this.suspect = false;
    this.lastCheck = -Infinity;
  }

  /**
   * Checks when due (or after a connection failure); true when data may have been lost since
   * the last check. Never throws: a failed check is tried again at the next turn.
   */
  async check(): Promise<boolean> {
    if (!this.suspect && performance.now() - this.lastCheck < this.everyMs) return false;
    this.lastCheck = performance.now();
    let previous: string | null;
    try {
      previous = await this.connections.guard(() =>
        this.connections.command.set(this.key, '1', 'PX', this.ttlMs, 'GET'),
      );
    } catch {
      this.suspect = true;
      return false;
    }
    const lost = this.suspect || (this.marked && previous === null);
    this.marked = true;
    this.suspect = false;
    return lost;
  }
}
