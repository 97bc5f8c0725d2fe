import { BenchCase, pool, prefill } from './bench-case';

const size = (quick: boolean) => (quick ? 1_000 : 10_000);

function rate(count: number, startedAt: number): number {
  return count / ((performance.now() - startedAt) / 1000);
}

/** Case 1: enqueue throughput, one at a time awaited, 1,000 in flight, and in bulk. */
export const enqueueCases: BenchCase[] = [
  {
    metrics: [
      { key: 'rate', label: 'enqueue, one at a time awaited', unit: 'tasks/s', better: 'higher' },
    ],
    async run(subject, { quick }) {
      const count = size(quick) / 5;
      const startedAt = performance.now();
      for (let i = 0; i < count; i++) await subject.enqueue(i);
      return { rate: rate(count, startedAt) };
    },
  },
  {
    metrics: [
      { key: 'rate', label: 'enqueue, 1,000 in flight', unit: 'tasks/s', better: 'higher' },
    ],
    async run(subject, { quick }) {
      const count = size(quick);
      const startedAt = performance.now();
      await pool(count, 1000, (i) => subject.enqueue(i));
      return { rate: rate(count, startedAt) };
    },
  },
  {
    metrics: [
      { key: 'rate', label: 'enqueue, bulk batches of 1,000', unit: 'tasks/s', better: 'higher' },
    ],
    async run(subject, { quick }) {
      const count = size(quick) * 2;
      const startedAt = performance.now();
      await prefill(subject, count, true);
      return { rate: rate(count, startedAt) };
    },
  },
];
