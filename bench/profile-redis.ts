// `npm run bench:redis -- [count] [concurrency]`: where Redis spends its CPU for
// each library over the redis-cost case (enqueue, then process at concurrency 10): per command,
// calls and µs from INFO commandstats, scripts included.
import 'reflect-metadata';
import { startPrivateRedis } from '../lib/testing';
import { pool } from './cases/bench-case';
import { RedisProbe } from './probe';
import { BullmqSubject } from './subjects/bullmq.subject';
import { Subject } from './subjects/subject';
import { TaskmillSubject } from './subjects/taskmill.subject';

async function profile(
  subject: Subject,
  probe: RedisProbe,
  url: string,
  count: number,
  concurrency: number,
): Promise<void> {
  await probe.flush();
  await subject.open(url);
  const worker = await subject.startWorker({ concurrency });
  await probe.resetStats();
  const cpu0 = (await probe.counters()).cpuMicros;
  await pool(count, 100, (i) => subject.enqueue(i));
  const enqueueStats = await probe.commandStats();
  const cpu1 = (await probe.counters()).cpuMicros;
  await probe.resetStats();
  await worker.begin();
  await worker.completed(count);
  const processStats = await probe.commandStats();
  const cpu2 = (await probe.counters()).cpuMicros;
  await worker.stop();
  await subject.close();
  for (const [phase, stats, cpu] of [
    ['enqueue', enqueueStats, cpu1 - cpu0],
    ['process', processStats, cpu2 - cpu1],
  ] as const) {
    console.log(`\n${subject.name} ${phase}: server CPU ${(cpu / count).toFixed(1)} µs/task`);
    const rows = [...stats.entries()].sort((a, b) => b[1].usec - a[1].usec);
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
  const probe = new RedisProbe(server.url);
  try {
    await profile(new TaskmillSubject(), probe, server.url, count, concurrency);
    await profile(new BullmqSubject(), probe, server.url, count, concurrency);
  } finally {
    probe.close();
    await server.stop();
  }
}

void main();
