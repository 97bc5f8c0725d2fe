import BeeQueue from 'bee-queue';
import {
  producerSettings,
  QUEUE,
  RedisAddress,
  redisAddress,
  STALL_INTERVAL,
  waiterSettings,
  workerSettings,
} from './beequeue.settings';
import { CompletionCounter, RunningWorker, Subject, WorkerSetup } from './subject';

interface Payload {
  i: number;
}

type Queue = BeeQueue<Payload>;

function openQueue(settings: BeeQueue.QueueSettings): Promise<Queue> {
  return new BeeQueue<Payload>(QUEUE, settings).ready();
}

/** Resolves when the job's outcome is published as a success, rejects if it failed. */
function outcome(job: BeeQueue.Job<Payload>): Promise<void> {
  return new Promise((resolve, reject) => {
    job.once('succeeded', () => resolve());
    job.once('failed', reject);
  });
}

/**
 * bee-queue as its README describes it: one queue to add jobs, a worker queue with `process`,
 * and job events to await an outcome. Its settings, and why, are in beequeue.settings.ts.
 */
export class BeeQueueSubject implements Subject {
  readonly name = 'bee-queue';
  private address?: RedisAddress;
  private producer?: Queue;
  private waiter?: Queue;

  async open(url: string): Promise<void> {
    this.address = redisAddress(url);
    this.producer = await openQueue(producerSettings(this.address));
  }

  async close(): Promise<void> {
    await this.waiter?.close();
    await this.producer?.close();
    this.waiter = undefined;
  }

  /**
   * No `keepResult`: bee-queue has no such setting per job; the worker's `removeOnSuccess`
   * decides (WorkerSetup.keepResults).
   */
  async enqueue(i: number): Promise<void> {
    await this.producer!.createJob({ i }).save();
  }

  async enqueueBulk(items: number[]): Promise<void> {
    const queue = this.producer!;
    const failures = await queue.saveAll(items.map((i) => queue.createJob({ i })));
    // saveAll reports failed jobs in a map instead of rejecting.
    const [failure] = failures.values();
    if (failure) throw failure;
  }

  async startWorker(setup: WorkerSetup): Promise<RunningWorker> {
    if (setup.queueRateLimit !== undefined && setup.queueRateLimit !== 'none') {
      throw new Error('bee-queue has no rate limiter: a rate-limited case must skip it');
    }
    const settings = workerSettings(this.address!, setup.keepResults ?? true);
    const worker = await openQueue(settings);
    // Here rather than in begin(): its first check is a round trip the timed part need not pay.
    await worker.checkStalledJobs(STALL_INTERVAL);
    const counter = new CompletionCounter();
    worker.on('succeeded', () => {
      counter.increment();
      setup.onComplete?.();
    });
    return {
      begin: async () => {
        worker.process(setup.concurrency, async (job) => {
          setup.onStart?.(job.data.i);
        });
      },
      completed: (count) => counter.until(count),
      stop: () => worker.close(),
    };
  }

  async enqueueAndAwaitResult(i: number): Promise<void> {
    this.waiter ??= await openQueue(waiterSettings(this.address!));
    const job = this.waiter.createJob({ i });
    // Listening before the save, so that no outcome can slip in before the listener.
    const finished = outcome(job);
    await job.save();
    await finished;
  }
}
