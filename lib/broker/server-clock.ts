import { performance } from 'perf_hooks';
import type { AnyRedis } from '../redis/any-redis';

/**
 * How much earlier than the caller's own timeout the server refuses a write, at most: covers
 * the millisecond the scripts' TIME is floored to, and clocks that disagree a little (a
 * failover to a replica whose clock is a few ms off, a small step of the server's clock).
 */
const DEADLINE_MARGIN_MS = 25;

/**
 * Refresh the offset with any sample at least this old, even a looser one: the client's and
 * the server's clocks drift apart (tens of µs per second between unsynchronised machines).
 */
const SAMPLE_LIFETIME_MS = 1_000;

/**
 * The Redis server's clock as seen from this process, so that an enqueue can tell its script
 * when its caller stops waiting (see enqueue-1.lua). Kept as an offset from the monotonic
 * clock (a step of this machine's wall clock changes nothing), and never ahead of the server:
 * each sample is the server's time minus the moment its reply arrived, which is at most the
 * true offset (the reply left the server before it arrived). A deadline computed with it is
 * therefore never later, by the server's clock, than the moment the caller is told it failed.
 */
export class ServerClock {
  private offset = 0;
  private sampledAt = Number.NEGATIVE_INFINITY;

  /** Reads the server's TIME once (before the first script call). */
  async sync(redis: AnyRedis): Promise<void> {
    const [seconds, micros] = await redis.time();
    this.observe(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
  }

  /** A server time (epoch ms, as a script's nowMs()) read by a reply that just arrived. */
  observe(serverMs: number): void {
    const arrivedAt = performance.now();
    const sample = serverMs - arrivedAt;
    // Each sample is a lower bound of the offset: keep the tightest of the last second.
    if (sample > this.offset || arrivedAt - this.sampledAt > SAMPLE_LIFETIME_MS) {
      this.offset = sample;
      this.sampledAt = arrivedAt;
    }
  }

  /**
   * The server time (epoch ms) after which a write started now must be refused, for a caller
   * who gives up after `timeoutMs`. Call it before starting that caller's timer.
   */
  deadline(timeoutMs: number): number {
    const margin = Math.min(DEADLINE_MARGIN_MS, timeoutMs / 4);
    return Math.floor(performance.now() + this.offset + timeoutMs - margin);
  }
}
