import type { Redis } from 'ioredis';
import { STALL_GRACE_MS } from './blocking-reader';

/**
 * A pub/sub connection hears nothing when its socket is half open, and nothing tells it: every
 * `intervalMs` this pings it (PING is allowed while subscribed) and destroys a socket that does
 * not answer within the grace period. ioredis then reconnects and subscribes again by itself.
 * Messages published while the socket was dead are lost (pub/sub is fire and forget): callers
 * must only use it for hints that have another path (cancel flags and due times are in Redis).
 */
export class SubscriberWatchdog {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly subscriber: Redis,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<void> {
    if (this.subscriber.status !== 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), STALL_GRACE_MS);
    });
    const pong = this.subscriber.ping().catch(() => 'failed');
    const first = await Promise.race([pong, stalled]);
    clearTimeout(timer);
    if (first === 'stalled' && this.subscriber.status === 'ready') this.subscriber.stream.destroy();
  }
}
