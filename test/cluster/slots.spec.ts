import { Injectable } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { filter, firstValueFrom, scan } from 'rxjs';
import { Task, TaskStatus } from '../../lib';
import { primariesOf, rawCluster, clusterConnection } from '../support/redis-cluster';
import { createTestApp, TestApp } from '../support/test-app';
import { uniquePrefix } from '../support/redis';

const QUEUES = ['spread-a', 'spread-b', 'spread-c'];

/** One task; each enqueue says its queue, and the worker consumes all of them. */
@Injectable()
class SpreadTasks {
  @Task({ name: 'spread.echo', queue: 'spread-hot' })
  echo(n: number): number {
    return n;
  }
}

/**
 * A blocking read waits longer than any result() below: a worker or reader that needed one to
 * notice new work (instead of a doorbell) would make these time out.
 */
const SLOW_BLOCKING_MS = 30_000;
const WITHIN_MS = 10_000;

function spreadApp(prefix = uniquePrefix()): Promise<TestApp> {
  return createTestApp([SpreadTasks], {
    prefix,
    connection: clusterConnection(),
    keyLayout: 'queue',
    queues: { 'spread-hot': { shards: 3 } },
    worker: { queues: [...QUEUES, 'spread-hot'] },
    blockingTimeoutMs: SLOW_BLOCKING_MS,
  });
}

/** The names of taskmill's connections on every primary (CLIENT LIST). */
async function taskmillConnectionNames(cluster: Cluster): Promise<string[]> {
  const primaries = await primariesOf(cluster);
  const lists = await Promise.all(primaries.map((node) => node.client('LIST') as Promise<string>));
  return lists
    .join('\n')
    .split('\n')
    .map((line) => / name=(taskmill:\S*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe("queues in slots of their own on a Redis Cluster (keyLayout 'queue')", () => {
  let t: TestApp;
  let cluster: Cluster;
  beforeAll(async () => {
    t = await spreadApp();
    cluster = rawCluster();
  });
  afterAll(async () => {
    await t.close();
    cluster.disconnect();
  });

  it('spreads the queues and the shards of a queue over the primaries, one slot each', async () => {
    const handles = [
      ...(await Promise.all(
        QUEUES.map((queue, i) => t.queue.enqueue('spread.echo', [i], { queue })),
      )),
      ...(await Promise.all(
        Array.from({ length: 12 }, (_, i) => t.queue.enqueue('spread.echo', [i])),
      )),
    ];
    await Promise.all(handles.map((handle) => handle.result({ timeout: WITHIN_MS })));
    const primaries = await primariesOf(cluster);
    const keysPerNode = await Promise.all(
      primaries.map((node) => node.keys(`{${t.prefix}:*`) as Promise<string[]>),
    );
    // Every queue slot's keys live together on one node; the tags differ per queue and shard.
    const tags = keysPerNode.map(
      (keys) => new Set(keys.map((key) => key.slice(0, key.indexOf('}')))),
    );
    const allTags = tags.flatMap((set) => [...set]);
    expect(new Set(allTags).size).toBe(allTags.length);
    expect(allTags).toHaveLength(QUEUES.length + 3);
    expect(tags.filter((set) => set.size > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('wakes an idle worker for work on any shard, and follows events$() across slots', async () => {
    const seen = firstValueFrom(
      t.queue.events$().pipe(
        filter((update) => update.status === TaskStatus.SUCCEEDED),
        scan((ids, update) => ids.add(update.id), new Set<string>()),
        filter((ids) => ids.size >= 9),
      ),
    );
    const handles = [
      ...(await Promise.all(
        QUEUES.map((queue, i) => t.queue.enqueue('spread.echo', [i], { queue })),
      )),
      ...(await Promise.all(
        Array.from({ length: 6 }, (_, i) => t.queue.enqueue('spread.echo', [i])),
      )),
    ];
    const results = await Promise.all(
      handles.map((handle) => handle.result({ timeout: WITHIN_MS })),
    );
    expect(results).toEqual([0, 1, 2, 0, 1, 2, 3, 4, 5]);
    const ids = await seen;
    for (const handle of handles) expect(ids.has(handle.id)).toBe(true);
  });

  it('waits on doorbells: no blocking connection per slot, whatever the number of slots', async () => {
    const following = t.queue.events$().subscribe();
    try {
      // A result waited for, then the worker idle again: the reader and the consumer both wait.
      await (await t.queue.enqueue('spread.echo', [7])).result({ timeout: WITHIN_MS });
      const names = await taskmillConnectionNames(cluster);
      // Apps of other specs share the cluster, some in the 'prefix' layout (blocking readers):
      // a process's connections are told apart by the worker or reader id their names carry.
      const idsOf = (kind: string) =>
        names
          .filter((name) => name.startsWith(`taskmill:${kind}:`))
          .map((name) => name.slice(`taskmill:${kind}:`.length));
      const bells = idsOf('bells');
      const eventsBells = idsOf('events-bells');
      expect(bells).not.toHaveLength(0);
      expect(eventsBells).not.toHaveLength(0);
      // The blocking readers of a single server (one BLPOP / XREAD BLOCK connection each) are
      // not opened by a process that waits on doorbells; its bell subscribers are one each per
      // process, not one per slot.
      expect(idsOf('consumer').filter((id) => bells.includes(id))).toEqual([]);
      expect(idsOf('events').filter((id) => eventsBells.includes(id))).toEqual([]);
      expect(new Set(bells).size).toBe(bells.length);
      expect(new Set(eventsBells).size).toBe(eventsBells.length);
    } finally {
      following.unsubscribe();
    }
  });
});
