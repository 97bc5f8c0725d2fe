// `npm run bench:redis -- [count] [concurrency]`: where Redis spends its CPU for
// each library over the redis-cost case (enqueue, then process at concurrency 10): per command,
// calls and µs from INFO commandstats, scripts included.
import 'reflect-metadata';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../lib/testing';
import { pool } from './cases/bench-case';
import { BullmqSubject } from './subjects/bullmq.subject';
import { Subject } from './subjects/subject';
import { TaskmillSubject } from './subjects/taskmill.subject';

async function commandStats(redis: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const text = await redis.info('commandstats');
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const line of text.split('\r\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (match) stats.set(match[1], { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

async function cpuMicros(redis: Redis): Promise<number> {
  const text = await redis.info('cpu');
  const user = Number(/used_cpu_user:([\d.]+)/.exec(text)?.[1]);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(text)?.[1]);
  return (user + sys) * 1e6;
}

async function profile(
  subject: Subject,
  redis: Redis,
  url: string,
  count: number,
  concurrency: number,
): Promise<void> {
  await redis.flushall();
  await subject.open(url);
  const worker = await subject.startWorker({ concurrency });
  await redis.config('RESETSTAT');
  const cpu0 = await cpuMicros(redis);
  await pool(count, 100, (i) => subject.enqueue(i));
  const enqueueStats = await commandStats(redis);
  const cpu1 = await cpuMicros(redis);
  await redis.config('RESETSTAT');
  await worker.begin();
  await worker.completed(count);
  const processStats = await commandStats(redis);
  const cpu2 = await cpuMicros(redis);
  await worker.stop();
  await subject.close();
  for (const [phase, stats, cpu] of [
    ['enqueue', enqueueStats, cpu1 - cpu0],
    ['process', processStats, cpu2 - cpu1],
  ] as const) {
    console.log(`\n${subject.name} ${phase}: server CPU ${(cpu / count).toFixed(1)} µs/task`);
    const rows = [...stats.entries()]
      .filter(([name]) => !['info', 'config'].includes(name))
      .sort((a, b) => b[1].usec - a[1].usec);
    for (const [name, { calls, usec }] of rows) {
      console.log(
        `  ${name.padEnd(16)} ${(calls / count).toFixed(2).padStart(7)} calls/task ` +
          `${(usec / count).toFixed(2).padStart(7)} µs/task ${(usec / calls).toFixed(2).padStart(7)} µs/call`,
      );
    }
  }
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 10_000);
  const concurrency = Number(process.argv[3] ?? 10);
  const server = await startPrivateRedis({ args: ['--save', '', '--appendonly', 'no'] });
  const redis = new Redis(server.url);
  try {
    await profile(new TaskmillSubject(), redis, server.url, count, concurrency);
    await profile(new BullmqSubject(), redis, server.url, count, concurrency);
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

void main();
