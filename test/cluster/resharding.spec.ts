import { Injectable } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { QueueService, Task, TaskHandle, taskContext } from '../../lib';
import { KeyBuilder } from '../../lib/broker/keys';
import { clusterConnection, clusterKeysOf, rawCluster } from '../support/redis-cluster';
import { uniquePrefix } from '../support/redis';
import { waitFor } from '../support/redis-server-process';
import { SlotMigration } from '../support/slot-migration';
import { createTestApp, TestApp } from '../support/test-app';

const QUEUE = 'reshard';

/** How many times each task ran, by id. */
const runs = new Map<string, number>();

@Injectable()
class ReshardTasks {
  @Task({ name: 'reshard.note', queue: QUEUE })
  note(n: number): number {
    const { id } = taskContext();
    runs.set(id, (runs.get(id) ?? 0) + 1);
    return n;
  }
}

/** Producers enqueueing one task after another until stopped; what they got, and any error. */
class Traffic {
  readonly handles: TaskHandle[] = [];
  readonly errors: unknown[] = [];
  /** Enqueues acknowledged, per producer. */
  private readonly acknowledged: number[];
  private stopped = false;
  private readonly loops: Promise<void>[];

  constructor(producers: QueueService[]) {
    this.acknowledged = producers.map(() => 0);
    this.loops = producers.map((queue, i) => this.loop(queue, i));
  }

  private async loop(queue: QueueService, producer: number): Promise<void> {
    while (!this.stopped) {
      try {
        this.handles.push(await queue.enqueue('reshard.note', [this.handles.length]));
        this.acknowledged[producer]++;
      } catch (error) {
        // One failure fails the test: this producer stops (no tight loop of refusals).
        this.errors.push(error);
        return;
      }
    }
  }

  /** Resolves once every producer had `count` more enqueues acknowledged; fails on a refusal. */
  async more(count: number): Promise<void> {
    const goals = this.acknowledged.map((done) => done + count);
    await waitFor(
      `for ${count} more enqueues from each producer`,
      async () => this.errors.length > 0 || this.acknowledged.every((done, i) => done >= goals[i]),
    );
    if (this.errors.length > 0) throw this.errors[0];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

/**
 * A queue's slot moved to another primary while producers (one with waitForReplicas, whose
 * script and WAIT go to the slot primary's own connection) and a worker run: the keys moved in
 * steps, so that calls meet the slot with all its keys on the source, split between the nodes,
 * all on the target before the slot is reassigned (the source answers ASK to each), and
 * reassigned (MOVED). Every call succeeds, and every task runs exactly once.
 */
describe("a queue's slot resharded under load ('queue' layout)", () => {
  const prefix = uniquePrefix();
  let slot: number;
  let owner: number;
  let worker: TestApp;
  let confirming: TestApp;
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = rawCluster();
    const routingKey = new KeyBuilder(prefix, 'queue').slot(QUEUE).routingKey;
    slot = await cluster.cluster('KEYSLOT', routingKey);
    const shared = { prefix, connection: clusterConnection(), keyLayout: 'queue' as const };
    worker = await createTestApp([ReshardTasks], shared);
    confirming = await createTestApp([ReshardTasks], {
      ...shared,
      waitForReplicas: 1,
      worker: { enabled: false },
    });
  });
  afterAll(async () => {
    await Promise.all([worker.close(), confirming.close()]);
    const keys = await clusterKeysOf(cluster, prefix);
    await Promise.all(keys.map((key) => cluster.del(key)));
    // Give the slot back to its first owner: the other specs share the cluster.
    if (owner !== undefined) {
      const back = await SlotMigration.begin(slot, owner);
      try {
        await back.finish();
      } finally {
        back.close();
      }
    }
    cluster.disconnect();
  });

  it('loses and doubles no task, and every enqueue succeeds, while the slot moves', async () => {
    const traffic = new Traffic([worker.queue, confirming.queue]);
    await traffic.more(5);

    const migration = await SlotMigration.begin(slot);
    owner = migration.source.port;
    try {
      // The source refuses every script call while the slot is open (ASK), and taskmill makes
      // it again until the slot's new owner takes it: wait until calls met each state.
      const refusedAfter = async (count: number) => {
        const goal = (await migration.scriptCallsRefused()) + count;
        await waitFor('for script calls to meet the open slot', async () => {
          return (await migration.scriptCallsRefused()) >= goal;
        });
      };
      expect(await migration.keysLeft()).toBeGreaterThan(1);
      // Every key still on the source.
      await refusedAfter(2);
      await migration.moveKeys(Math.floor((await migration.keysLeft()) / 2));
      // The keys split between the nodes.
      await refusedAfter(2);
      while ((await migration.moveKeys(100)) > 0);
      // Every key on the target, the slot still the source's.
      await refusedAfter(2);
      await migration.finish();
      await traffic.more(3);
    } finally {
      migration.close();
    }
    await traffic.stop();

    expect(traffic.errors).toEqual([]);
    const results = await Promise.all(
      traffic.handles.map((handle) => handle.result({ timeout: 10_000 })),
    );
    expect(results).toHaveLength(traffic.handles.length);
    expect(runs.size).toBe(traffic.handles.length);
    for (const handle of traffic.handles) expect(runs.get(handle.id)).toBe(1);
  });
});
