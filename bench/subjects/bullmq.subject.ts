import { Queue, QueueEvents, Worker } from 'bullmq';
import { CompletionCounter, RunningWorker, Subject, WorkerSetup } from './subject';

const QUEUE = 'bench';

/** A BullMQ Queue on the bench's Redis, ready, with the connection options its workers take. */
export async function openQueue(
  url: string,
  name: string,
): Promise<{ connection: { host: string; port: number }; queue: Queue }> {
  const { hostname, port } = new URL(url);
  const connection = { host: hostname, port: Number(port) };
  const queue = new Queue(name, { connection });
  await queue.waitUntilReady();
  return { connection, queue };
}

/** BullMQ's global limiter (`max` jobs per `duration` ms, across workers) for a queue rate limit. */
function limiter(rateLimit: WorkerSetup['queueRateLimit']) {
  if (rateLimit === undefined || rateLimit === 'none') return {};
  return { limiter: { max: rateLimit.max, duration: rateLimit.perMs } };
}

/** BullMQ as its docs recommend: Queue to add, Worker to process, QueueEvents to await. */
export class BullmqSubject implements Subject {
  readonly name = 'BullMQ';
  private connection = { host: '127.0.0.1', port: 0 };
  private queue?: Queue;
  private events?: QueueEvents;

  async open(url: string): Promise<void> {
    ({ connection: this.connection, queue: this.queue } = await openQueue(url, QUEUE));
  }

  async close(): Promise<void> {
    await this.events?.close();
    await this.queue?.close();
    this.events = undefined;
  }

  async enqueue(i: number, keepResult = true): Promise<void> {
    await this.queue!.add('noop', { i }, { removeOnComplete: !keepResult });
  }

  async enqueueBulk(items: number[], keepResult: boolean): Promise<void> {
    await this.queue!.addBulk(
      items.map((i) => ({ name: 'noop', data: { i }, opts: { removeOnComplete: !keepResult } })),
    );
  }

  async startWorker(setup: WorkerSetup): Promise<RunningWorker> {
    const counter = new CompletionCounter();
    const worker = new Worker(
      QUEUE,
      async (job) => {
        setup.onStart?.((job.data as { i: number }).i);
      },
      {
        connection: this.connection,
        concurrency: setup.concurrency,
        autorun: false,
        ...limiter(setup.queueRateLimit),
      },
    );
    worker.on('completed', () => {
      counter.increment();
      setup.onComplete?.();
    });
    await worker.waitUntilReady();
    return {
      begin: async () => void worker.run(),
      completed: (count) => counter.until(count),
      stop: () => worker.close(),
    };
  }

  async enqueueAndAwaitResult(i: number): Promise<void> {
    if (!this.events) {
      this.events = new QueueEvents(QUEUE, { connection: this.connection });
      await this.events.waitUntilReady();
    }
    const job = await this.queue!.add('noop', { i });
    await job.waitUntilFinished(this.events);
  }
}
