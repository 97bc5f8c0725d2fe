import { Injectable, ModuleMetadata } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { Task, taskContext, WorkerEvent } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { TaskRouter } from '../../lib/broker/task-router';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { clusterConnection, primariesOf, rawCluster } from '../support/redis-cluster';
import { createTestApp, TestApp } from '../support/test-app';

const ran = new Ledger<string>();

@Injectable()
class Ticker {
  @Task({ name: 'spread.tick', queue: 'ticks' })
  async tick(): Promise<void> {
    ran.add(taskContext().id);
  }
}

type Fired = Extract<WorkerEvent, { type: 'schedule.fired' }>;

/**
 * The 'queue' layout on a Redis Cluster, where a script that touched two slots would fail with
 * CROSSSLOT: a schedule (prefix's slot) firing tasks into a sharded queue (other slots, other
 * nodes), and the integrity scan walking the records of every primary.
 */
describe("schedules and the integrity scan in the 'queue' layout on a Redis Cluster", () => {
  const apps: TestApp[] = [];
  let cluster: Cluster;
  beforeAll(() => (cluster = rawCluster()));
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    cluster.disconnect();
  });

  const app = async (providers: ModuleMetadata['providers'], worker: boolean, shards: number) => {
    const created = await createTestApp(providers, {
      prefix: uniquePrefix(),
      connection: clusterConnection(),
      keyLayout: 'queue',
      queues: { ticks: { shards }, scan: { shards } },
      worker: { enabled: worker },
    });
    apps.push(created);
    return created;
  };

  it('fires each tick of an interval schedule once, into the shards of its queue', async () => {
    const worker = await app([Ticker], true, 3);
    const three = firstValueFrom(
      worker.worker.events$.pipe(
        filter((event): event is Fired => event.type === 'schedule.fired'),
        take(3),
        toArray(),
      ),
    );
    const schedule = await worker.queue.schedule('spread.tick', { every: 200 });
    const ids = (await three).map((event) => event.taskId);
    await expect(worker.queue.unschedule(schedule.id)).resolves.toBe(true);
    const ticks = ids.map((id) => Number(id.split('@')[1]));
    expect(ticks[1] - ticks[0]).toBe(200);
    expect(ticks[2] - ticks[1]).toBe(200);
    // Custom ids (`<schedule id>@<tick>`) of one queue: found by their queue.
    await Promise.all(ids.map((id) => worker.queue.handle(id, { queue: 'ticks' }).result()));
    for (const id of ids) expect(ran.entries.filter((entry) => entry === id)).toEqual([id]);
  });

  it('finds tasks waiting in no queue on every primary', async () => {
    const producer = await app([], false, 6);
    const router = producer.app.get(TaskRouter);
    const handles = await Promise.all(
      router
        .slotsOf('scan')
        .map(() => producer.queue.enqueue('spread.lost', [], { queue: 'scan' })),
    );
    const lost = handles.map((handle) => handle.id).sort();
    // As if evicted: every shard's ready list is gone.
    for (const slot of router.slotsOf('scan')) await cluster.del(slot.ready('scan', 0));
    const primaries = await primariesOf(cluster);
    const holding = await Promise.all(
      primaries.map((node) => node.keys(`{${producer.prefix}:*}:t:*`)),
    );
    expect(holding.filter((keys) => keys.length > 0).length).toBeGreaterThan(1);

    const broker = producer.app.get(Broker);
    const failed: string[] = [];
    for (;;) {
      const page = await broker.scanIntegrity('scanner', 10_000, 1000);
      if (!page) throw new Error('another scanner holds the turn');
      failed.push(...page.failed);
      if (page.cursor === '0') break;
    }
    expect(failed.sort()).toEqual(lost);
  });
});
