// `npm start`: boots a Nest application context with taskmill, runs three tasks on Redis and
// prints how they go. With no REDIS_URL it starts (and afterwards stops) a private redis-server.
import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueService, TaskmillError, WorkerService } from '../lib';
import { AppModule } from './app.module';
import { follow } from './follow';
import { log, WorkerLog } from './print';
import { provideRedis } from './redis';
import { ReportService } from './tasks/report.service';

const RESULT_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  const redis = await provideRedis(log);
  try {
    // No HTTP server: an application context is all a worker needs. Nest's own start-up
    // lines are left out to keep the output about the tasks.
    const app = await NestFactory.createApplicationContext(AppModule.forRedis(redis.url), {
      logger: ['warn', 'error'],
    });
    // Ctrl+C stops the worker gracefully: running tasks finish or go back to the queue. Then
    // Nest calls process.exit, whose exit hook stops the private redis-server.
    app.enableShutdownHooks(['SIGINT', 'SIGTERM'], { useProcessExit: true });
    const workerLog = new WorkerLog();
    app.get(WorkerService).events$.subscribe((event) => workerLog.on(event));
    try {
      await runTasks(app);
    } finally {
      // Stops the worker (in-flight tasks finish first), then closes taskmill's connections.
      await app.close();
    }
    log(workerLog.summary());
  } finally {
    await redis.stop();
  }
}

async function runTasks(app: INestApplicationContext): Promise<void> {
  const queue = app.get(QueueService);

  // By class and method: args are type-checked and report.result() is typed as Report.
  const report = await queue.enqueue(ReportService, 'build', ['Q3 sales', 1200]);
  // By name: the handler could as well live in another application.
  const invoice = await queue.enqueue('invoice.send', ['ada@example.com', 99.5]);
  const rows = await queue.enqueue('import.rows', [4]);

  // Follow every task before the worker starts, so each shows its whole life from SUBMITTED.
  const followed = [report, invoice, rows].map(follow);
  await Promise.all(followed.map((task) => task.watching));
  await app.get(WorkerService).start();

  const [built, sent, imported] = await Promise.all([
    report.result({ timeout: RESULT_TIMEOUT_MS }),
    invoice.result({ timeout: RESULT_TIMEOUT_MS }),
    rows.result({ timeout: RESULT_TIMEOUT_MS }),
  ]);
  await Promise.all(followed.map((task) => task.finished));

  log(`result report.build:  "${built.title}", ${built.rows} rows, built at ${built.builtAt}`);
  log(`result invoice.send:  ${String(sent)}`);
  log(`result import.rows:   ${JSON.stringify(imported)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    // Our own errors carry a message that says what to do: print it, without a stack trace.
    if (error instanceof TaskmillError) console.error(`\n${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
