import { cpuSubjectFor } from '../cpu/cpu-roster';
import { BenchCase, sized } from './bench-case';

const HASH_MS = 20;
const THREADS = 2;
const LEASE_MS = 2000;

/**
 * Case: CPU-bound handlers (HASH_MS of SHA-256 each) on THREADS threads: taskmill's pool
 * threads (`mechanism: 'thread'`) against BullMQ's sandboxed processors in worker threads;
 * bee-queue, which has neither, hashes on its event loop. Throughput, and the share of tasks
 * that kept their lease (no lease lost, none taken back as stalled).
 */
export const cpuBoundCase: BenchCase = {
  metrics: [
    {
      key: 'rate',
      label: `CPU-bound tasks (${HASH_MS} ms of hashing each), ${THREADS} threads`,
      unit: 'tasks/s',
      better: 'higher',
    },
    {
      key: 'kept',
      label: `CPU-bound tasks that kept their lease (${LEASE_MS} ms)`,
      unit: '%',
      better: 'higher',
    },
  ],
  async run(subject, context) {
    const cpu = await cpuSubjectFor(subject.name);
    await cpu.open(context.url);
    try {
      const count = sized(context, 2_000, 400);
      const worker = await cpu.startWorker({
        threads: THREADS,
        concurrency: 2 * THREADS,
        leaseMs: LEASE_MS,
      });
      const startedAt = performance.now();
      await worker.begin();
      await cpu.enqueueBulk(count, HASH_MS);
      await worker.completed(count);
      const seconds = (performance.now() - startedAt) / 1000;
      const losses = worker.leaseLosses();
      await worker.stop();
      return { rate: count / seconds, kept: (100 * (count - Math.min(losses, count))) / count };
    } finally {
      await cpu.close();
    }
  },
};
