// A producer process for the concurrent-enqueue fault test: enqueues <count> tasks all at once
// and prints their ids as one JSON line.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { QueueModule, QueueService } from '../../lib';
import { keyLayoutInTests } from './redis';

async function main(): Promise<void> {
  const [url, prefix, count] = process.argv.slice(2);
  const app = await NestFactory.createApplicationContext(
    QueueModule.forRoot({
      connection: url,
      prefix,
      keyLayout: keyLayoutInTests(),
      worker: { enabled: false },
      // See concurrent-enqueue.spec.ts: load, not an outage, is what a slow answer means here.
      commandTimeoutMs: 30_000,
    }),
    { logger: false },
  );
  const queue = app.get(QueueService);
  const handles = await Promise.all(
    Array.from({ length: Number(count) }, () =>
      queue.enqueue('concurrent.mark', [], { queue: 'concurrent' }),
    ),
  );
  process.stdout.write(`${JSON.stringify(handles.map((h) => h.id))}\n`);
  await app.close();
}

void main();
