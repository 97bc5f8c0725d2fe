// `npm run bench:cluster`: how taskmill spreads over a Redis Cluster. Starts a private
// 3-primary, 3-replica cluster, and for each case enqueues then processes the same tasks,
// reading from every primary how many commands it ran and how much CPU they cost it
// (INFO commandstats). On a 2-core machine the cluster cannot run faster than one server; the
// figure that shows scale is the share of the work each primary carries.
import { Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { filter, firstValueFrom, scan } from 'rxjs';
import { QueueModule, QueueModuleOptions, QueueService, Task, WorkerService } from '../lib';
import { TestCluster } from '../test/support/redis-cluster';

const TASKS = Number(process.env.BENCH_CLUSTER_TASKS ?? 20_000);
const BATCH = 500;
const CONCURRENCY = 100;

@Injectable()
class ScaleTasks {
  @Task({ name: 'scale.noop', queue: 'scale-0' })
  noop(): void {}
}

interface Case {
  label: string;
  options: QueueModuleOptions;
  queues: string[];
}

const CASES: Case[] = [
  { label: "one queue, 'prefix' layout", options: { keyLayout: 'prefix' }, queues: ['scale-0'] },
  { label: 'one queue, 1 shard', options: { keyLayout: 'queue' }, queues: ['scale-0'] },
  {
    label: 'one queue, 3 shards',
    options: { keyLayout: 'queue', queues: { 'scale-0': { shards: 3 } } },
    queues: ['scale-0'],
  },
  {
    label: 'three queues',
    options: { keyLayout: 'queue' },
    queues: ['scale-0', 'scale-1', 'scale-2'],
  },
];

interface NodeStat {
  calls: number;
  usec: number;
}

async function nodeStats(primaries: Redis[]): Promise<NodeStat[]> {
  return Promise.all(
    primaries.map(async (node) => {
      let calls = 0;
      let usec = 0;
      for (const line of (await node.info('commandstats')).split('\r\n')) {
        const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
        if (
          !match ||
          ['info', 'config|resetstat', 'cluster|info', 'cluster|slots'].includes(match[1])
        )
          continue;
        calls += Number(match[2]);
        usec += Number(match[3]);
      }
      return { calls, usec };
    }),
  );
}

async function runCase(cluster: TestCluster, primaries: Redis[], scale: Case) {
  const connection = { cluster: cluster.addresses.map((address) => address) };
  const app = await NestFactory.createApplicationContext(
    {
      module: class ScaleModule {},
      imports: [
        QueueModule.forRoot({
          ...scale.options,
          connection,
          prefix: `scale-${CASES.indexOf(scale)}`,
          worker: { enabled: false, concurrency: CONCURRENCY, queues: scale.queues },
        }),
      ],
      providers: [ScaleTasks],
    },
    { logger: ['error'] },
  );
  const queue = app.get(QueueService);
  const worker = app.get(WorkerService);
  // Every queue known first: registration is not what is measured.
  for (const name of scale.queues) await queue.enqueue('scale.noop', [], { queue: name });
  await Promise.all(primaries.map((node) => node.config('RESETSTAT')));
  const started = performance.now();
  for (let i = 0; i < TASKS; i += BATCH) {
    await Promise.all(
      Array.from({ length: BATCH }, (_, j) =>
        queue.enqueue('scale.noop', [], { queue: scale.queues[(i + j) % scale.queues.length] }),
      ),
    );
  }
  const enqueued = performance.now();
  const done = firstValueFrom(
    worker.events$.pipe(
      filter((event) => event.type === 'task.succeeded'),
      scan((count) => count + 1, 0),
      filter((count) => count >= TASKS + scale.queues.length),
    ),
  );
  await worker.start();
  await done;
  const processed = performance.now();
  const stats = await nodeStats(primaries);
  await app.close();
  return {
    enqueuePerSecond: TASKS / ((enqueued - started) / 1000),
    processPerSecond: TASKS / ((processed - enqueued) / 1000),
    stats,
  };
}

async function main(): Promise<void> {
  const cluster = await TestCluster.start();
  const primaries = await Promise.all(
    (await cluster.primaryPorts()).map(async (port) => {
      const node = new Redis({ port, host: '127.0.0.1' });
      await node.ping();
      return node;
    }),
  );
  try {
    console.log(
      `${TASKS} no-op tasks per case, enqueued ${BATCH} at a time, worker concurrency ${CONCURRENCY}\n`,
    );
    console.log(
      '| case | enqueue/s | process/s | commands per task | Redis µs per task | share of commands per primary | share of Redis CPU per primary |',
    );
    console.log('|---|---:|---:|---:|---:|---|---|');
    for (const scale of CASES) {
      const { enqueuePerSecond, processPerSecond, stats } = await runCase(
        cluster,
        primaries,
        scale,
      );
      const calls = stats.reduce((sum, node) => sum + node.calls, 0);
      const usec = stats.reduce((sum, node) => sum + node.usec, 0);
      const share = (values: number[], total: number) =>
        values.map((value) => `${Math.round((100 * value) / total)}%`).join(' / ');
      console.log(
        `| ${scale.label} | ${Math.round(enqueuePerSecond)} | ${Math.round(processPerSecond)} | ` +
          `${(calls / TASKS).toFixed(1)} | ${(usec / TASKS).toFixed(1)} | ` +
          `${share(
            stats.map((node) => node.calls),
            calls,
          )} | ${share(
            stats.map((node) => node.usec),
            usec,
          )} |`,
      );
    }
  } finally {
    for (const node of primaries) node.disconnect();
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
