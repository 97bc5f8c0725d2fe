import { DynamicModule, INestApplicationContext, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { existsSync } from 'fs';
import { resolve } from 'path';
import { OPTION_OVERRIDES } from '../../constants';
import { CliUsageError } from '../../errors';
import type { OptionOverrides, WorkerOptions } from '../../options/module.options';
import { WorkerService } from '../../worker/worker.service';
import { integer } from '../cli-options';

interface WorkerFlags {
  module: string;
  export: string;
  queues?: string[];
  concurrency?: number;
  threads?: number;
  processes?: number;
  redis?: string;
  prefix?: string;
}

/** The root of the worker's application context: the app's module and the flags' overrides. */
@Module({})
class WorkerCommandModule {}

/** The module class `file` exports as `name`. */
async function loadModule(file: string, name: string): Promise<Type<unknown>> {
  const path = resolve(file);
  if (!existsSync(path)) throw new CliUsageError(`--module: no file at ${path}`);
  const exported = (await import(path)) as Record<string, unknown>;
  const found = exported[name];
  if (typeof found !== 'function') {
    const names = Object.keys(exported).filter((key) => key !== 'default' && key !== '__esModule');
    throw new CliUsageError(
      `--module: ${path} exports no class "${name}" (it exports: ${names.join(', ') || 'nothing'}); ` +
        `name the module class with --export`,
    );
  }
  return found as Type<unknown>;
}

/**
 * `--threads` / `--processes`: the pool members boot the same module file as the worker, with
 * the app's other pool options (patienceMs, resourceLimits, preload) kept.
 */
function poolOf(flags: WorkerFlags): WorkerOptions['pool'] | undefined {
  if (flags.threads === undefined && flags.processes === undefined) return undefined;
  return {
    module: resolve(flags.module),
    export: flags.export,
    ...(flags.threads !== undefined && { threads: flags.threads }),
    ...(flags.processes !== undefined && { processes: flags.processes }),
  };
}

/** The flags given, as module options over the app's own (flags not given change nothing). */
function overridesOf(flags: WorkerFlags): DynamicModule {
  const pool = poolOf(flags);
  const worker: WorkerOptions = {
    enabled: true,
    ...(flags.queues && { queues: flags.queues }),
    ...(flags.concurrency && { concurrency: flags.concurrency }),
    ...(pool && { pool }),
  };
  const overrides: OptionOverrides = {
    worker,
    ...(flags.redis !== undefined && { connection: flags.redis }),
    ...(flags.prefix !== undefined && { prefix: flags.prefix }),
  };
  return {
    module: class CliOverridesModule {},
    global: true,
    providers: [{ provide: OPTION_OVERRIDES, useValue: overrides }],
    exports: [OPTION_OVERRIDES],
  };
}

/** Resolves on the first SIGINT or SIGTERM; a second one ends the process at once (Node's default). */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
}

async function runWorker(flags: WorkerFlags): Promise<void> {
  const appModule = await loadModule(flags.module, flags.export);
  const stop = stopSignal();
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    { module: WorkerCommandModule, imports: [appModule, overridesOf(flags)] },
    { abortOnError: false },
  );
  const worker = app.get(WorkerService);
  process.stdout.write(
    `taskmill worker running on queues ${worker.queues().join(', ') || '(none)'}; ` +
      `stop with Ctrl-C or SIGTERM\n`,
  );
  const signal = await stop;
  process.stdout.write(`${signal}: stopping (running tasks finish or go back to their queue)\n`);
  await app.close();
  process.stdout.write('taskmill worker stopped\n');
}

function queueList(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/** `taskmill worker --module <file>`: runs the workers of an app's module until a signal. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description("run the worker of an app's Nest module (one that imports QueueModule)")
    .requiredOption('--module <file>', 'the compiled module file, e.g. dist/app.module.js')
    .option('--export <name>', 'the module class it exports', 'AppModule')
    .option('--queues <a,b>', "consume these queues (default: the app's worker.queues)", queueList)
    .option('--concurrency <n>', "tasks run at once (default: the app's)", integer(1, 10_000))
    .option(
      '--threads <n>',
      "worker threads for mechanism: 'thread' tasks, booting this module (worker.pool.threads)",
      integer(1, 1_000),
    )
    .option(
      '--processes <n>',
      "child processes for mechanism: 'process' tasks, booting this module (worker.pool.processes)",
      integer(1, 1_000),
    )
    .option('--redis <url>', "Redis URL (default: the app's connection option)")
    .option('--prefix <prefix>', "key prefix (default: the app's prefix option)")
    .action(runWorker);
}
