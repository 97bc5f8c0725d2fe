import type { AnyRedis } from './any-redis';
import { closeQuietly, RedisConnections } from './redis-connections';

/**
 * Doorbells of hash slots, for Redis Cluster: a blocking read (BLPOP, XREAD BLOCK) covers keys of
 * one slot only, so one process following queues in many slots would need a blocking connection
 * per slot. Instead, a process about to wait sets a short-lived bell key in each slot it follows
 * (`arm`), and the scripts that change those slots publish the slot's base on the prefix's bell
 * channel while the key exists (includes/common.lua `ring`). One subscriber connection per
 * process hears every slot, whatever their number: connections grow with nodes, not queues.
 *
 * A ring heard while nobody waits is kept, so that the next wait returns at once: the reader arms,
 * then reads (or claims), then waits, and a change made between the read and the wait still
 * wakes it. A lost message costs at most the wait's timeout, after which the reader reads anyway.
 */
export class Bells {
  private subscriber?: AnyRedis;
  private subscribed?: Promise<unknown>;
  /** Slot bases rung since the last wait took them. */
  private readonly rung = new Set<string>();
  private waiting?: { bases: Set<string>; done: () => void };

  constructor(
    private readonly connections: RedisConnections,
    private readonly channel: string,
    private readonly name: string,
  ) {}

  /** Subscribes (once) and sets the bell key `key` of every slot to follow, for `ttlMs`. */
  async arm(keys: string[], ttlMs: number): Promise<void> {
    await this.listen();
    const redis = this.connections.command;
    await Promise.all(keys.map((key) => redis.set(key, '1', 'PX', ttlMs)));
  }

  /**
   * Resolves when one of `bases` rang (since the last wait too), `wake()` is called, or after
   * `timeoutMs`; true when a bell or wake() ended it.
   */
  wait(bases: Set<string>, timeoutMs: number): Promise<boolean> {
    const heard = [...this.rung].some((base) => base === '*' || bases.has(base));
    this.rung.clear();
    if (heard) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (woken: boolean) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(woken);
      };
      this.waiting = { bases, done: () => finish(true) };
    });
  }

  /** Ends the wait in progress (or the next one) at once. */
  wake(): void {
    if (this.waiting) this.waiting.done();
    else this.rung.add('*');
  }

  async close(): Promise<void> {
    this.waiting?.done();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.subscribed = undefined;
    if (subscriber) await closeQuietly(subscriber);
  }

  private listen(): Promise<unknown> {
    if (this.subscribed) return this.subscribed;
    const subscriber = (this.subscriber = this.connections.createBlocking(this.name));
    subscriber.on('message', (channel: string, base: string) => {
      if (channel !== this.channel) return;
      const waiting = this.waiting;
      if (waiting && waiting.bases.has(base)) waiting.done();
      else if (!waiting) this.rung.add(base);
    });
    this.subscribed = subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.subscribed = undefined;
      throw error;
    });
    return this.subscribed;
  }
}
