// A lock holder in a separate process: boots a Nest app with the worker disabled, takes the
// lock `name` with the given ttl (renewed in the background), prints one JSON line
// { holder, fence } (or { error }) and keeps it until it is killed.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { LockService, QueueModule } from '../../lib';
import { keyLayoutInTests } from './redis';

async function main(): Promise<void> {
  const [url, prefix, name, ttl] = process.argv.slice(2);
  const app = await NestFactory.createApplicationContext(
    QueueModule.forRoot({
      connection: url,
      prefix,
      keyLayout: keyLayoutInTests(),
      worker: { enabled: false },
    }),
    { logger: false },
  );
  const lock = await app
    .get(LockService)
    .acquire(name, { ttl: Number(ttl), wait: 60_000, owner: 'child' });
  if (!lock) throw new Error(`could not take lock ${name}`);
  process.stdout.write(`${JSON.stringify({ holder: lock.holder, fence: lock.fence })}\n`);
  setInterval(() => undefined, 60_000); // held until SIGKILL
}

main().catch((error: Error) => {
  process.stdout.write(`${JSON.stringify({ error: `${error.name}: ${error.message}` })}\n`);
  process.exitCode = 1;
});
