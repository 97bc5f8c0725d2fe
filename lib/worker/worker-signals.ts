import { AnyRedis, isCluster } from '../redis/any-redis';
import { KeyBuilder } from '../broker/keys';
import { closeQuietly, RedisConnections } from '../redis/redis-connections';
import { SubscriberWatchdog } from '../redis/subscriber-watchdog';
import { ConsumerLoop } from './consumer-loop';
import { TaskRunner } from './task-runner';

/**
 * What other processes tell this worker over pub/sub: cancel() of a task it may be running,
 * a queue's earliest delayed task changing (so it can set its due timer while idle), and a
 * schedule added or changed (so its trigger timer is set for it).
 */
export class WorkerSignals {
  private subscriber?: AnyRedis;
  private watchdog?: SubscriberWatchdog;

  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: KeyBuilder,
    private readonly runner: TaskRunner,
    private readonly loop: ConsumerLoop,
    private readonly queues: string[],
    private readonly onSchedulesChanged: () => void,
    private readonly checkEveryMs: number,
    /** The subscriptions are live again after a reconnect: read what they may have missed. */
    private readonly onResubscribed: () => void,
  ) {}

  /**
   * Subscribes in the background: startup must not wait on Redis (ioredis subscribes again
   * by itself after every reconnect). Resolves once Redis confirmed the subscriptions, or once
   * subscribing failed (reported through `onError`): the worker claims only then, because a
   * cancel published before Redis took the SUBSCRIBE reaches nobody, and the task it cancels
   * would run on until its next lease renewal read the flag.
   */
  start(onError: (error: Error) => void): Promise<void> {
    if (this.subscriber) return Promise.resolve();
    const cancel = this.keys.cancelChannel();
    const schedule = this.keys.scheduleChannel();
    const triggers = this.keys.family('triggers');
    const subscriber = this.connections.createBlocking('signals');
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === cancel) this.runner.abort(message, 'cancel');
      else if (channel === schedule) this.onSchedule(message);
      else if (channel === triggers) this.onSchedulesChanged();
    });
    let live = false;
    const subscribed = subscriber.subscribe(cancel, schedule, triggers).then(
      () => void (live = true),
      (error: unknown) => onError(error as Error),
    );
    // After a reconnect ioredis subscribes again by itself; what was published meanwhile
    // reached nobody. Once the new subscription is confirmed (a PING answered after it), the
    // missed messages are made up for from Redis: cancel flags, schedules.
    subscriber.on('ready', () => {
      if (!live || this.subscriber !== subscriber) return;
      const confirmed = isCluster(subscriber) ? Promise.resolve() : subscriber.ping();
      confirmed.then(
        () => this.subscriber === subscriber && this.onResubscribed(),
        () => undefined,
      );
    });
    this.watchdog = new SubscriberWatchdog(this.subscriber, this.checkEveryMs);
    this.watchdog.start();
    return subscribed;
  }

  async stop(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.watchdog?.stop();
    this.watchdog = undefined;
    if (subscriber) await closeQuietly(subscriber);
  }

  /** `<queue>:<ms until due>`; queue names cannot contain ':'. */
  private onSchedule(message: string): void {
    const at = message.lastIndexOf(':');
    const queue = message.slice(0, at);
    const inMs = Number(message.slice(at + 1));
    if (this.queues.includes(queue) && Number.isFinite(inMs))
      this.loop.scheduleWake(Math.max(0, inMs));
  }
}
