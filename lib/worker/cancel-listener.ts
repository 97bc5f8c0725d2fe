import type { Redis } from 'ioredis';
import { KeyBuilder } from '../broker/keys';
import { closeQuietly, RedisConnections } from '../redis/redis-connections';
import { TaskRunner } from './task-runner';

/** Hears cancel() from any process (pub/sub) and aborts the matching run in this worker. */
export class CancelListener {
  private subscriber?: Redis;

  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: KeyBuilder,
    private readonly runner: TaskRunner,
  ) {}

  /**
   * Subscribes in the background: startup must not wait on Redis (ioredis subscribes again
   * by itself after every reconnect).
   */
  start(onError: (error: Error) => void): void {
    if (this.subscriber) return;
    this.subscriber = this.connections.createBlocking('cancel');
    this.subscriber.on('message', (_channel: string, id: string) =>
      this.runner.abort(id, 'cancel'),
    );
    this.subscriber.subscribe(this.keys.cancelChannel()).catch(onError);
  }

  async stop(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await closeQuietly(subscriber);
  }
}
