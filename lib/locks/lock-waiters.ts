import type { AnyRedis } from '../redis/any-redis';
import { closeQuietly, RedisConnections } from '../redis/redis-connections';

/** The longest a waiter goes without trying the lock again. */
export const RETRY_CEILING_MS = 1_000;

/**
 * Waits for a lock without polling: the release script publishes the lock's name on the
 * prefix's `lock-released` channel, and one subscriber connection per process wakes the
 * waiters of that name. A lock that expires is not announced; a waiter then tries again when
 * the holder's TTL runs out (the acquire script returns it), and in any case at least every
 * `RETRY_CEILING_MS`, which bounds what a missed message (a dead subscriber socket) costs.
 */
export class LockWaiters {
  private subscriber?: AnyRedis;
  private subscribed?: Promise<void>;
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(
    private readonly connections: RedisConnections,
    private readonly channel: string,
  ) {}

  /**
   * Subscribes once, before the first wait: a release published before the subscription
   * exists would be missed. A failed subscription is left to ioredis (it subscribes again
   * after every reconnect); waiters then rely on their retries.
   */
  listen(): Promise<void> {
    this.subscribed ??= this.subscribe();
    return this.subscribed;
  }

  /**
   * Starts listening for the next release of `name`. Take the ticket before trying the lock,
   * so that a release between the try and the wait is not missed; always `cancel()` it.
   */
  ticket(name: string): { wait(ms: number): Promise<void>; cancel(): void } {
    let released = false;
    let done: (() => void) | undefined;
    const wake = () => {
      released = true;
      done?.();
    };
    const set = this.waiting.get(name) ?? new Set();
    this.waiting.set(name, set.add(wake));
    const cancel = () => {
      set.delete(wake);
      if (set.size === 0 && this.waiting.get(name) === set) this.waiting.delete(name);
    };
    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        if (released) return resolve();
        const timer = setTimeout(wake, ms);
        done = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    return { wait, cancel };
  }

  /** Wakes every waiter to try again (after a reconnect, which may have lost messages; at shutdown). */
  wakeAll(): void {
    for (const set of this.waiting.values()) for (const wake of [...set]) wake();
  }

  async close(): Promise<void> {
    this.wakeAll();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.subscribed = undefined;
    if (subscriber) await closeQuietly(subscriber);
  }

  private async subscribe(): Promise<void> {
    const subscriber = (this.subscriber = this.connections.createBlocking('locks'));
    subscriber.on('message', (channel: string, name: string) => {
      if (channel !== this.channel) return;
      for (const wake of [...(this.waiting.get(name) ?? [])]) wake();
    });
    subscriber.on('ready', () => this.wakeAll());
    await this.connections.guard(() => subscriber.subscribe(this.channel)).catch(() => undefined);
  }
}
