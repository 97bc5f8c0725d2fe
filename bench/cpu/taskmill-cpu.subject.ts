import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueModule, QueueService, WorkerService } from '../../lib';
import { CompletionCounter } from '../subjects/subject';
import { CpuSetup, CpuSubject, CpuWorker } from './cpu-subject';
import { CPU_QUEUE, CpuTasks } from './cpu-tasks.module';

const PREFIX = 'bench-cpu';

/** taskmill with `mechanism: 'thread'`: handlers in pool threads, leases on the event loop. */
export class TaskmillCpuSubject implements CpuSubject {
  private url = '';
  private producer?: INestApplicationContext;

  async open(url: string): Promise<void> {
    this.url = url;
    this.producer = await NestFactory.createApplicationContext(
      QueueModule.forRoot({ connection: url, prefix: PREFIX, worker: { enabled: false } }),
      { logger: ['error'] },
    );
  }

  async close(): Promise<void> {
    await this.producer?.close();
  }

  async enqueueBulk(count: number, ms: number): Promise<void> {
    const queue = this.producer!.get(QueueService);
    const options = { queue: CPU_QUEUE, resultTtl: 0 };
    for (let from = 0; from < count; from += 1000) {
      const size = Math.min(1000, count - from);
      await queue.enqueueMany(
        Array.from({ length: size }, () => ({ task: 'bench.hash', args: [ms], options })),
      );
    }
  }

  async startWorker(setup: CpuSetup): Promise<CpuWorker> {
    const pool = {
      module: require.resolve('./cpu-tasks.module'),
      export: 'CpuTasksModule',
      threads: setup.threads,
    };
    const app = await NestFactory.createApplicationContext(
      {
        module: class CpuWorkerModule {},
        imports: [
          QueueModule.forRoot({
            connection: this.url,
            prefix: PREFIX,
            worker: { concurrency: setup.concurrency, leaseMs: setup.leaseMs, pool },
          }),
        ],
        providers: [CpuTasks],
      },
      { logger: ['error'] },
    );
    const worker = app.get(WorkerService);
    const counter = new CompletionCounter();
    let losses = 0;
    worker.events$.subscribe((event) => {
      if (event.type === 'task.succeeded') counter.increment();
      if (event.type === 'task.lease-lost') losses++;
      if (event.type === 'leases.reclaimed') losses += event.reclaimed.length + event.failed.length;
    });
    return {
      // Started (pool threads booted) above: the worker sits idle until the tasks come.
      begin: () => Promise.resolve(),
      completed: (count) => counter.until(count),
      stop: () => app.close(),
      leaseLosses: () => losses,
    };
  }
}
