// A worker in its own process, for tests that kill workers: it runs 'fault.hang' tasks, which
// print "started <id> <attempt>" and never finish, so the test can SIGKILL it mid-task, and
// 'fault.block' tasks, which block the event loop for the given ms (no lease renewal) and then
// return 'late'.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueModule, Task, taskContext } from '../../lib';

@Injectable()
class HangingTasks {
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
    return 'late';
  }
}

async function main(): Promise<void> {
  const [url, prefix, leaseMs, maxReclaims] = process.argv.slice(2);
  @Module({
    imports: [
      QueueModule.forRoot({
        connection: url,
        prefix,
        worker: { leaseMs: Number(leaseMs), maxReclaims: Number(maxReclaims) },
      }),
    ],
    providers: [HangingTasks],
  })
  class WorkerModule {}
  await NestFactory.createApplicationContext(WorkerModule, { logger: false });
  process.stdout.write('ready\n');
}

void main();
