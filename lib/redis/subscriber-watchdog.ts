import { AnyRedis, isCluster } from './any-redis';
import { STALL_GRACE_MS } from './blocking-reader';

/**
 * A pub/sub connection hears nothing when its socket is half open, and nothing tells it: every
 * `intervalMs` this pings it (PING is allowed while subscribed) and destroys a socket that does
 * not answer within the grace period. ioredis then reconnects and subscribes again by itself.
 * Messages published while the socket was dead are lost (pub/sub is fire and forget): callers
 * must only use it for hints that have another path (cancel flags and due times are in Redis).
 * A cluster client subscribes on a connection of its own that a PING does not go through
 * (ioredis sends it to any node): there the watchdog does nothing, and a half-open subscriber
 * socket costs what a missed hint costs until ioredis notices (the other paths remain).
 */
export class SubscriberWatchdog {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly subscriber: AnyRedis,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (isCluster(this.subscriber)) return;
    this.timer ??= setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<void> {
    const subscriber = this.subscriber;
    if (isCluster(subscriber) || subscriber.status !== 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), STALL_GRACE_MS);
    });
    const pong = subscriber.ping().catch(() => 'failed');
    const first = await Promise.race([pong, stalled]);
    clearTimeout(timer);
    if (first === 'stalled' && subscriber.status === 'ready') subscriber.stream.destroy();
  }
}
