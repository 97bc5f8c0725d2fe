import { Injectable } from '@nestjs/common';
import { createHash } from 'crypto';
import { Cluster, Redis } from 'ioredis';
import { Task } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { KeyBuilder } from '../../lib/broker/keys';
import { commandName, loadScripts } from '../../lib/broker/script-loader';
import {
  clusterConnection,
  clusterKeysOf,
  primariesOf,
  rawCluster,
} from '../support/redis-cluster';
import { uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const QUEUES = ['evalsha-a', 'evalsha-b', 'evalsha-c'];

@Injectable()
class ScriptTasks {
  @Task({ name: 'evalsha.square', queue: 'evalsha-a' })
  square(n: number): number {
    return n * n;
  }
}

/** The SHA1 under which ioredis sends the enqueue script with EVALSHA. */
function enqueueSha(): string {
  const script = loadScripts().find((s) => s.command === commandName('enqueue'));
  if (!script) throw new Error('no enqueue script');
  return createHash('sha1').update(script.lua).digest('hex');
}

async function scriptCached(primaries: Redis[], sha: string): Promise<boolean[]> {
  return Promise.all(
    primaries.map(async (node) => ((await node.script('EXISTS', sha)) as number[])[0] === 1),
  );
}

/**
 * The scripts path (EVALSHA: `redisFunctions: false`, Redis before 7, or a user that may not
 * FUNCTION LOAD) on a Redis Cluster: every primary's script cache emptied (SCRIPT FLUSH, as a
 * restart or a resharding onto a fresh node leaves it) while a worker and producers run, each
 * node answers NOSCRIPT and gets the script again with the next call; nothing fails.
 */
describe("EVALSHA on a Redis Cluster after SCRIPT FLUSH on every primary ('queue' layout)", () => {
  const prefix = uniquePrefix();
  let worker: TestApp;
  let confirming: TestApp;
  let cluster: Cluster;
  let primaries: Redis[];

  beforeAll(async () => {
    const shared = {
      prefix,
      connection: clusterConnection(),
      keyLayout: 'queue' as const,
      redisFunctions: false,
    };
    worker = await createTestApp([ScriptTasks], { ...shared, worker: { queues: QUEUES } });
    // A producer whose enqueues wait for a replica: the script and WAIT in one pipeline, on
    // the slot primary's own connection.
    confirming = await createTestApp([ScriptTasks], {
      ...shared,
      waitForReplicas: 1,
      worker: { enabled: false },
    });
    cluster = rawCluster();
    primaries = await primariesOf(cluster);
  });
  afterAll(async () => {
    await Promise.all([worker.close(), confirming.close()]);
    const keys = await clusterKeysOf(cluster, prefix);
    await Promise.all(keys.map((key) => cluster.del(key)));
    cluster.disconnect();
  });

  /** Enqueues n tasks on every queue from both apps; resolves with their results. */
  const round = async (n: number): Promise<unknown[]> => {
    const handles = await Promise.all(
      [worker, confirming].flatMap((app) =>
        QUEUES.flatMap((queue) =>
          Array.from({ length: n }, (_, i) => app.queue.enqueue('evalsha.square', [i], { queue })),
        ),
      ),
    );
    return Promise.all(handles.map((handle) => handle.result({ timeout: 10_000 })));
  };

  const expected = (n: number): number[] =>
    Array.from({ length: 2 * QUEUES.length }, () =>
      Array.from({ length: n }, (_, i) => i * i),
    ).flat();

  it('runs its scripts with EVALSHA, and loads them again on every primary after a flush', async () => {
    expect(worker.app.get(Broker).scriptMode).toBe('scripts');
    expect(confirming.app.get(Broker).scriptMode).toBe('scripts');
    await expect(round(4)).resolves.toEqual(expected(4));

    await Promise.all(primaries.map((node) => node.script('FLUSH')));
    const sha = enqueueSha();
    expect(await scriptCached(primaries, sha)).toEqual(primaries.map(() => false));

    // The worker is idle, so its next claims and settles meet NOSCRIPT too.
    await expect(round(4)).resolves.toEqual(expected(4));
    // Each primary that serves one of the queues' slots has the script again.
    const slotPrimaries = new Set(
      await Promise.all(QUEUES.map((queue) => primaryPortOf(cluster, prefix, queue))),
    );
    const cached = await scriptCached(primaries, sha);
    primaries.forEach((node, i) => {
      if (slotPrimaries.has(Number(node.options.port))) expect(cached[i]).toBe(true);
    });
  });
});

/** The port of the primary that serves `queue`'s slot. */
async function primaryPortOf(cluster: Cluster, prefix: string, queue: string): Promise<number> {
  const routingKey = new KeyBuilder(prefix, 'queue').slot(queue).routingKey;
  const slot = await cluster.cluster('KEYSLOT', routingKey);
  const ranges = await cluster.cluster('SLOTS');
  const range = ranges.find(([first, last]) => first <= slot && slot <= last);
  if (!range) throw new Error(`slot ${slot} is not assigned`);
  return Number(range[2][1]);
}
