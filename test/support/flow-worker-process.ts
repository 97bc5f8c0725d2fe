// A worker in its own process for the flow-control specs (test/flow/); the parent's side is
// flow-worker.ts. Its one argument is a JSON FlowWorkerSettings. Every handler appends
// "<label> <task name> <id> <attempt>" to the run ledger (a Redis list) as it starts, prints
// "started <id>", then waits the ms it was given (forever when negative on a first attempt, so
// that a test can SIGKILL the process mid-run; a later attempt of such a task ends at once). The 'old' release lacks the handler of 'flow.new' (a rolling
// deploy's old worker). It prints "ready" once its worker runs.
import 'reflect-metadata';
import { Injectable, Module, Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { QueueModule, QueueModuleOptions, Task, taskContext } from '../../lib';
import { flowLedgerKey } from './flow-worker';
import { keyLayoutInTests } from './redis';

export interface FlowWorkerSettings {
  url: string;
  prefix: string;
  /** Names this process in the ledger. */
  label: string;
  release: 'old' | 'new';
  concurrency: number;
  leaseMs: number;
  queues?: string[];
  queueOrder?: 'strict' | 'fair';
  queueSettings?: QueueModuleOptions['queues'];
}

const settings = JSON.parse(process.argv[2]) as FlowWorkerSettings;
const ledger = new Redis(settings.url);

async function run(ms: number): Promise<string> {
  const { id, name, attempt } = taskContext();
  await ledger.rpush(flowLedgerKey(settings.prefix), `${settings.label} ${name} ${id} ${attempt}`);
  process.stdout.write(`started ${id}\n`);
  // A first attempt hangs (its process is to be SIGKILLed); the retry after the reclaim ends.
  if (ms < 0 && attempt === 1) return new Promise<never>(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, Math.max(ms, 0)));
  return settings.label;
}

@Injectable()
class OldTasks {
  @Task({ name: 'flow.old', queue: 'flow' })
  old(ms: number): Promise<string> {
    return run(ms);
  }

  @Task({ name: 'flow.critical', queue: 'critical' })
  critical(ms: number): Promise<string> {
    return run(ms);
  }

  @Task({ name: 'flow.normal', queue: 'normal' })
  normal(ms: number): Promise<string> {
    return run(ms);
  }

  @Task({ name: 'flow.capped', queue: 'capped' })
  capped(ms: number): Promise<string> {
    return run(ms);
  }

  @Task({ name: 'flow.rated', queue: 'rated' })
  rated(ms: number): Promise<string> {
    return run(ms);
  }

  @Task({ name: 'flow.named', queue: 'named', rateLimit: { max: 3, perMs: 400 } })
  named(ms: number): Promise<string> {
    return run(ms);
  }

  @Task({ name: 'flow.free', queue: 'named' })
  free(ms: number): Promise<string> {
    return run(ms);
  }

  @Task({ name: 'flow.grouped', queue: 'grouped' })
  grouped(ms: number): Promise<string> {
    return run(ms);
  }

  /** Grouped by its second argument, the tenant. */
  @Task({ name: 'flow.tenant', queue: 'grouped', group: (_ms: number, tenant: string) => tenant })
  tenant(ms: number): Promise<string> {
    return run(ms);
  }
}

@Injectable()
class NewTasks {
  @Task({ name: 'flow.new', queue: 'flow' })
  fresh(ms: number): Promise<string> {
    return run(ms);
  }
}

async function main(): Promise<void> {
  const { url, prefix, concurrency, leaseMs, queues, queueOrder, queueSettings } = settings;
  const providers: Provider[] = settings.release === 'new' ? [OldTasks, NewTasks] : [OldTasks];
  @Module({
    imports: [
      QueueModule.forRoot({
        connection: url,
        prefix,
        keyLayout: keyLayoutInTests(),
        worker: { concurrency, leaseMs, queues, queueOrder },
        queues: queueSettings,
      }),
    ],
    providers,
  })
  class FlowWorkerModule {}
  await NestFactory.createApplicationContext(FlowWorkerModule, { logger: false });
  process.stdout.write('ready\n');
}

void main();
