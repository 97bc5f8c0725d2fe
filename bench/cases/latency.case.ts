import { percentile } from '../stats';
import { BenchCase, sized } from './bench-case';

/** Case 3: end-to-end latency on an idle worker, one task at a time. */
export const latencyCase: BenchCase = {
  metrics: [
    { key: 'start50', label: 'latency enqueue → handler start, p50', unit: 'ms', better: 'lower' },
    { key: 'start95', label: 'latency enqueue → handler start, p95', unit: 'ms', better: 'lower' },
    { key: 'start99', label: 'latency enqueue → handler start, p99', unit: 'ms', better: 'lower' },
    {
      key: 'result50',
      label: 'latency enqueue → result observed, p50',
      unit: 'ms',
      better: 'lower',
    },
    {
      key: 'result95',
      label: 'latency enqueue → result observed, p95',
      unit: 'ms',
      better: 'lower',
    },
    {
      key: 'result99',
      label: 'latency enqueue → result observed, p99',
      unit: 'ms',
      better: 'lower',
    },
  ],
  async run(subject, context) {
    const count = sized(context, 2_000, 200);
    const startedAt = new Map<number, number>();
    const worker = await subject.startWorker({
      concurrency: 10,
      onStart: (i) => startedAt.set(i, performance.now()),
    });
    await worker.begin();
    // Warm up connections, script caches and the JIT before measuring.
    for (let i = 0; i < 200; i++) await subject.enqueueAndAwaitResult(-1 - i);
    const toStart: number[] = [];
    const toResult: number[] = [];
    for (let i = 0; i < count; i++) {
      const sentAt = performance.now();
      await subject.enqueueAndAwaitResult(i);
      toResult.push(performance.now() - sentAt);
      toStart.push((startedAt.get(i) ?? NaN) - sentAt);
    }
    await worker.stop();
    return {
      start50: percentile(toStart, 50),
      start95: percentile(toStart, 95),
      start99: percentile(toStart, 99),
      result50: percentile(toResult, 50),
      result95: percentile(toResult, 95),
      result99: percentile(toResult, 99),
    };
  },
};
