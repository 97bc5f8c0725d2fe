import { Queue, Worker } from 'bullmq';
import { openQueue } from '../subjects/bullmq.subject';
import { CompletionCounter } from '../subjects/subject';
import { CpuSetup, CpuSubject, CpuWorker } from './cpu-subject';

const QUEUE = 'bench-cpu';

/** BullMQ's sandboxed processors in worker threads (`useWorkerThreads`), as its docs describe. */
export class BullmqCpuSubject implements CpuSubject {
  private connection = { host: '127.0.0.1', port: 0 };
  private queue?: Queue;

  async open(url: string): Promise<void> {
    ({ connection: this.connection, queue: this.queue } = await openQueue(url, QUEUE));
  }

  async close(): Promise<void> {
    await this.queue?.close();
  }

  async enqueueBulk(count: number, ms: number): Promise<void> {
    for (let from = 0; from < count; from += 1000) {
      const size = Math.min(1000, count - from);
      await this.queue!.addBulk(
        Array.from({ length: size }, () => ({
          name: 'hash',
          data: { ms },
          opts: { removeOnComplete: true },
        })),
      );
    }
  }

  async startWorker(setup: CpuSetup): Promise<CpuWorker> {
    const counter = new CompletionCounter();
    let losses = 0;
    // A sandbox runs one job at a time: `concurrency` sandboxes are the thread count.
    const worker = new Worker(QUEUE, require.resolve('./bullmq-hash.processor.js'), {
      connection: this.connection,
      concurrency: setup.threads,
      useWorkerThreads: true,
      lockDuration: setup.leaseMs,
      autorun: false,
    });
    worker.on('completed', () => counter.increment());
    worker.on('stalled', () => losses++);
    worker.on('error', () => losses++);
    await worker.waitUntilReady();
    return {
      begin: async () => void worker.run(),
      completed: (count) => counter.until(count),
      stop: () => worker.close(),
      leaseLosses: () => losses,
    };
  }
}
