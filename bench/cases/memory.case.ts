import { BenchCase, prefill, sized } from './bench-case';

/** Case 5: Redis memory per waiting task and per finished task kept for its TTL. */
export const memoryCase: BenchCase = {
  metrics: [
    { key: 'waiting', label: 'Redis memory per waiting task', unit: 'bytes', better: 'lower' },
    {
      key: 'finished',
      label: 'Redis memory per finished task (kept)',
      unit: 'bytes',
      better: 'lower',
    },
  ],
  async run(subject, context) {
    const { probe } = context;
    const count = sized(context, 100_000, 5_000);
    const baseline = await probe.usedMemory();
    await prefill(subject, count, true);
    const waiting = (await probe.usedMemory()) - baseline;
    const worker = await subject.startWorker({ concurrency: 100 });
    await worker.begin();
    await worker.completed(count);
    await worker.stop();
    const finished = (await probe.usedMemory()) - baseline;
    return { waiting: waiting / count, finished: finished / count };
  },
};
