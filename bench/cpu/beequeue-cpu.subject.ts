import BeeQueue from 'bee-queue';
import {
  producerSettings,
  redisAddress,
  RedisAddress,
  workerSettings,
} from '../subjects/beequeue.settings';
import { CompletionCounter } from '../subjects/subject';
import { CpuSetup, CpuSubject, CpuWorker } from './cpu-subject';
import { hashFor } from './hash-work';

const QUEUE = 'bench-cpu';

interface Payload {
  ms: number;
}

/**
 * bee-queue has no sandboxed processors: its handlers hash on the worker's event loop, which
 * is what the other two move off it. Stalled jobs (its lease losses) are counted.
 */
export class BeeQueueCpuSubject implements CpuSubject {
  private address?: RedisAddress;
  private producer?: BeeQueue<Payload>;

  async open(url: string): Promise<void> {
    this.address = redisAddress(url);
    this.producer = await new BeeQueue<Payload>(QUEUE, producerSettings(this.address)).ready();
  }

  async close(): Promise<void> {
    await this.producer?.close();
  }

  async enqueueBulk(count: number, ms: number): Promise<void> {
    const queue = this.producer!;
    const jobs = Array.from({ length: count }, () => queue.createJob({ ms }));
    const [failure] = (await queue.saveAll(jobs)).values();
    if (failure) throw failure;
  }

  async startWorker(setup: CpuSetup): Promise<CpuWorker> {
    const settings = { ...workerSettings(this.address!, false), stallInterval: setup.leaseMs };
    const worker = await new BeeQueue<Payload>(QUEUE, settings).ready();
    await worker.checkStalledJobs(setup.leaseMs);
    const counter = new CompletionCounter();
    let losses = 0;
    worker.on('succeeded', () => counter.increment());
    worker.on('stalled', () => losses++);
    return {
      begin: async () => {
        worker.process(setup.concurrency, async (job) => hashFor(job.data.ms));
      },
      completed: (count) => counter.until(count),
      stop: () => worker.close(),
      leaseLosses: () => losses,
    };
  }
}
