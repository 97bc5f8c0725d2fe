import { Subject } from '../subjects/subject';
import { BenchCase, BenchContext, pool, prefill, sized } from './bench-case';

const size = (context: BenchContext) => sized(context, 10_000, 1_000);

/**
 * A few hundred untimed enqueues first, for both libraries: the first calls pay for JIT
 * compilation, script loading and server checks, which a short timed run would otherwise count.
 */
async function warmUp(subject: Subject): Promise<void> {
  for (let i = 0; i < 300; i++) await subject.enqueue(-1);
}

function rate(count: number, startedAt: number): number {
  return count / ((performance.now() - startedAt) / 1000);
}

/** Case 1: enqueue throughput, one at a time awaited, 1,000 in flight, and in bulk. */
export const enqueueCases: BenchCase[] = [
  {
    metrics: [
      { key: 'rate', label: 'enqueue, one at a time awaited', unit: 'tasks/s', better: 'higher' },
    ],
    async run(subject, context) {
      // As many as the other cases: a short run of round trips is at the mercy of the
      // scheduler (2,000 gave ranges of 2× between repeats).
      const count = size(context);
      await warmUp(subject);
      const startedAt = performance.now();
      for (let i = 0; i < count; i++) await subject.enqueue(i);
      return { rate: rate(count, startedAt) };
    },
  },
  {
    metrics: [
      { key: 'rate', label: 'enqueue, 1,000 in flight', unit: 'tasks/s', better: 'higher' },
    ],
    async run(subject, context) {
      const count = size(context);
      await warmUp(subject);
      const startedAt = performance.now();
      await pool(count, 1000, (i) => subject.enqueue(i));
      return { rate: rate(count, startedAt) };
    },
  },
  {
    metrics: [
      { key: 'rate', label: 'enqueue, bulk batches of 1,000', unit: 'tasks/s', better: 'higher' },
    ],
    async run(subject, context) {
      const count = size(context) * 2;
      await warmUp(subject);
      const startedAt = performance.now();
      await prefill(subject, count, true);
      return { rate: rate(count, startedAt) };
    },
  },
];
