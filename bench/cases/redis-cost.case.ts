import { delta } from '../probe';
import { BenchCase, pool, sized } from './bench-case';

/** Case 4: Redis work per task over its whole life: enqueue → claim → complete. */
export const redisCostCase: BenchCase = {
  metrics: [
    { key: 'commands', label: 'Redis commands per task', unit: 'cmds', better: 'lower' },
    { key: 'writes', label: 'client round trips per task', unit: 'writes', better: 'lower' },
    { key: 'cpu', label: 'Redis server CPU per task', unit: 'µs', better: 'lower' },
  ],
  async run(subject, context) {
    const { probe } = context;
    const count = sized(context, 10_000, 1_000);
    const worker = await subject.startWorker({ concurrency: 10 });
    const before = await probe.counters();
    await pool(count, 100, (i) => subject.enqueue(i));
    await worker.begin();
    await worker.completed(count);
    const used = delta(await probe.counters(), before);
    await worker.stop();
    return {
      commands: used.commands / count,
      writes: used.writes / count,
      cpu: used.cpuMicros / count,
    };
  },
};
