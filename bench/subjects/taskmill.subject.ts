import { Injectable, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { filter } from 'rxjs';
import { QueueModule, QueueService, Task, WorkerService } from '../../lib';
import { CompletionCounter, RunningWorker, Subject, WorkerSetup } from './subject';

const QUEUE = 'bench';
const PREFIX = 'bench';
const hooks: { onStart?: (i: number) => void } = {};

@Injectable()
class BenchTasks {
  @Task({ name: 'bench.noop', queue: QUEUE })
  async noop(i: number): Promise<void> {
    hooks.onStart?.(i);
  }
}

function boot(url: string, worker: { enabled: boolean; concurrency?: number }) {
  return NestFactory.createApplicationContext(
    QueueModule.forRoot({ connection: url, prefix: PREFIX, worker }),
    { logger: ['error'] },
  );
}

/**
 * The `queues` option for a rate limit: configuring the queue without one declares that it has
 * none, replacing what an earlier worker stored; leaving it out keeps the defaults.
 */
function queueSettings(rateLimit: WorkerSetup['queueRateLimit']) {
  if (rateLimit === undefined) return {};
  return { queues: { [QUEUE]: rateLimit === 'none' ? {} : { rateLimit } } };
}

/** taskmill through its public API, in a Nest application context like a user's app. */
export class TaskmillSubject implements Subject {
  readonly name = 'taskmill';
  private url = '';
  private producer?: INestApplicationContext;
  private queue?: QueueService;

  async open(url: string): Promise<void> {
    this.url = url;
    this.producer = await boot(url, { enabled: false });
    this.queue = this.producer.get(QueueService);
  }

  async close(): Promise<void> {
    await this.producer?.close();
  }

  async enqueue(i: number, keepResult = true): Promise<void> {
    await this.queue!.enqueue('bench.noop', [i], {
      queue: QUEUE,
      resultTtl: keepResult ? 86_400_000 : 0,
    });
  }

  async enqueueBulk(items: number[], keepResult: boolean): Promise<void> {
    const options = { queue: QUEUE, resultTtl: keepResult ? 86_400_000 : 0 };
    await this.queue!.enqueueMany(items.map((i) => ({ task: 'bench.noop', args: [i], options })));
  }

  async enqueueBulkInGroups(
    items: number[],
    groupOf: (i: number) => string | undefined,
  ): Promise<void> {
    await this.queue!.enqueueMany(
      items.map((i) => ({
        task: 'bench.noop',
        args: [i],
        options: { queue: QUEUE, resultTtl: 0, group: groupOf(i) },
      })),
    );
  }

  async startWorker(setup: WorkerSetup): Promise<RunningWorker> {
    hooks.onStart = setup.onStart;
    const app = await NestFactory.createApplicationContext(
      {
        module: class BenchWorkerModule {},
        imports: [
          QueueModule.forRoot({
            connection: this.url,
            prefix: PREFIX,
            worker: { enabled: false, concurrency: setup.concurrency },
            ...queueSettings(setup.queueRateLimit),
          }),
        ],
        providers: [BenchTasks],
      },
      { logger: ['error'] },
    );
    const worker = app.get(WorkerService);
    const counter = new CompletionCounter();
    worker.events$.pipe(filter((e) => e.type === 'task.succeeded')).subscribe(() => {
      counter.increment();
      setup.onComplete?.();
    });
    return {
      begin: () => worker.start(),
      completed: (count) => counter.until(count),
      stop: async () => {
        await app.close();
        hooks.onStart = undefined;
      },
    };
  }

  async enqueueAndAwaitResult(i: number): Promise<void> {
    const handle = await this.queue!.enqueue('bench.noop', [i], { queue: QUEUE });
    await handle.result();
  }
}
