import { once } from 'events';
import { Injectable } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { firstValueFrom, filter } from 'rxjs';
import { LockService, Task, taskContext, WorkerEvent } from '../../lib';
import { KeyBuilder } from '../../lib/broker/keys';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { clusterConnection, rawCluster } from '../support/redis-cluster';
import { createTestApp, TestApp } from '../support/test-app';

const ticks = new Ledger<string>();

@Injectable()
class Ticker {
  @Task({ name: 'cluster.tick', queue: 'ticks' })
  async tick(label: string): Promise<void> {
    ticks.add(`${label} ${taskContext().id}`);
  }
}

/**
 * Locks (and their release channel) and schedules on a Redis Cluster client, in the 'prefix'
 * layout (stated: 'queue' is the default on a cluster), where the whole prefix, queues included,
 * is one slot on one node. queue-layout-schedules.spec.ts runs schedules in the 'queue' layout.
 */
describe("locks and schedules on a Redis Cluster in the 'prefix' layout", () => {
  const prefix = uniquePrefix();
  let one: TestApp;
  let two: TestApp;
  let subscriber: Cluster;
  beforeAll(async () => {
    const options = { prefix, connection: clusterConnection(), keyLayout: 'prefix' as const };
    one = await createTestApp([Ticker], options);
    two = await createTestApp([], { ...options, worker: { enabled: false } });
    subscriber = rawCluster();
  });
  afterAll(async () => {
    subscriber.disconnect();
    await Promise.all([one.close(), two.close()]);
  });

  it('hands a lock from one app to a waiting one, announcing the release over pub/sub', async () => {
    const channel = new KeyBuilder(prefix).family('lockReleased');
    await subscriber.subscribe(channel);
    const announced = once(subscriber, 'message');
    const a = one.app.get(LockService);
    const b = two.app.get(LockService);
    const held = await a.acquire('report', { ttl: 10_000 });
    expect(held).not.toBeNull();
    await expect(b.acquire('report', { wait: 0 })).resolves.toBeNull();
    const waiting = b.acquire('report', { wait: 10_000 });
    await held?.release();
    await expect(announced).resolves.toEqual([channel, 'report']);
    const next = await waiting;
    expect(next).not.toBeNull();
    await expect(a.isHeld('report')).resolves.toBe(true);
    await next?.release();
    await expect(a.isHeld('report')).resolves.toBe(false);
  });

  it('fires an interval schedule registered from another app, once per tick', async () => {
    const fired = firstValueFrom(
      one.worker.events$.pipe(
        filter(
          (event): event is Extract<WorkerEvent, { type: 'schedule.fired' }> =>
            event.type === 'schedule.fired',
        ),
      ),
    );
    const schedule = await two.queue.schedule('cluster.tick', {
      every: 150,
      args: ['every'],
      queue: 'ticks',
    });
    const event = await fired;
    expect(event).toMatchObject({ schedule: schedule.id });
    await expect(two.queue.unschedule(schedule.id)).resolves.toBe(true);
    await expect(two.queue.handle(event.taskId).result({ timeout: 5000 })).resolves.toBeUndefined();
    expect(ticks.entries).toContain(`every ${event.taskId}`);
  });
});
