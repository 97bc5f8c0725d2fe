// A worker in its own process, for tests that kill workers (the parent's side is
// worker-process-handle.ts). Its one argument is a JSON WorkerProcessSettings. It runs:
// - 'fault.hang': prints "started <id> <attempt>" and never finishes, so the test can SIGKILL
//   the process mid-task;
// - 'fault.block': prints the same, blocks the event loop for the given ms (no lease renewal),
//   then returns 'late';
// - 'fault.work': waits the given ms, appends its run to the ledger and returns;
// - 'fault.echo' and 'fault.join': a chord's parts (return their argument) and callback
//   (returns the results it was given), both appending their runs to the ledger.
// It prints "ready" once its worker runs, and "lease-lost <id> <attempt>" when a run of its
// was fenced out by a newer attempt.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueModule, Task, taskContext, WorkerService } from '../../lib';
import { keyLayoutInTests } from './redis';
import { RunLedger } from './run-ledger';

export interface WorkerProcessSettings {
  url: string;
  prefix: string;
  leaseMs: number;
  maxReclaims: number;
  concurrency: number;
}

const settings = JSON.parse(process.argv[2]) as WorkerProcessSettings;
const ledger = new RunLedger(settings.prefix);

@Injectable()
class FaultTasks {
  @Task({ name: 'fault.hang', queue: 'fault' })
  async hang(): Promise<never> {
    const { id, attempt } = taskContext();
    process.stdout.write(`started ${id} ${attempt}\n`);
    return new Promise<never>(() => undefined);
  }

  @Task({ name: 'fault.block', queue: 'fault' })
  async block(ms: number): Promise<string> {
    const { id, attempt } = taskContext();
    process.stdout.write(`started ${id} ${attempt}\n`);
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // A synchronous loop: nothing else in this process runs, leases are not renewed.
    }
    await ledger.append(id, attempt);
    return 'late';
  }

  /** A chord part: records its run, returns its argument. */
  @Task({ name: 'fault.echo', queue: 'fault' })
  async echo(value: number): Promise<number> {
    const { id, attempt } = taskContext();
    await ledger.append(id, attempt);
    return value;
  }

  /** A chord callback: records its run, returns the parts' results it was given. */
  @Task({ name: 'fault.join', queue: 'fault' })
  async join(): Promise<unknown> {
    const { id, attempt, previous } = taskContext();
    await ledger.append(id, attempt);
    return previous;
  }

  @Task({ name: 'fault.work', queue: 'fault' })
  async work(ms: number): Promise<void> {
    const { id, attempt } = taskContext();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await ledger.append(id, attempt);
  }
}

async function main(): Promise<void> {
  const { url, prefix, leaseMs, maxReclaims, concurrency } = settings;
  @Module({
    imports: [
      QueueModule.forRoot({
        connection: url,
        prefix,
        keyLayout: keyLayoutInTests(),
        worker: { leaseMs, maxReclaims, concurrency },
      }),
    ],
    providers: [FaultTasks],
  })
  class WorkerModule {}
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
  // Lets a test wait for the fencing of a hung run instead of sleeping for it.
  app.get(WorkerService).events$.subscribe((event) => {
    if (event.type === 'task.lease-lost') {
      process.stdout.write(`lease-lost ${event.task.id} ${event.task.attempt}\n`);
    }
  });
  process.stdout.write('ready\n');
}

void main();
