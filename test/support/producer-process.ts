// A separate producer process for cross-process tests: boots a Nest app with the worker
// disabled, enqueues one task, waits for its result (run by another process's worker) and
// prints one JSON line: { id, result } or { error }.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { QueueModule, QueueService } from '../../lib';
import { keyLayoutInTests } from './redis';

async function main(): Promise<void> {
  const [url, prefix, task, argsJson] = process.argv.slice(2);
  const app = await NestFactory.createApplicationContext(
    QueueModule.forRoot({
      connection: url,
      prefix,
      keyLayout: keyLayoutInTests(),
      worker: { enabled: false },
    }),
    { logger: false },
  );
  try {
    const handle = await app.get(QueueService).enqueue(task, JSON.parse(argsJson) as unknown[]);
    const result = await handle.result({ timeout: 10_000 });
    process.stdout.write(`${JSON.stringify({ id: handle.id, result })}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: Error) => {
  process.stdout.write(`${JSON.stringify({ error: `${error.name}: ${error.message}` })}\n`);
  process.exitCode = 1;
});
