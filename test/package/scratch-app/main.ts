// A user's app at its smallest, for the packaging test: one @Task, boot, enqueue, await the
// result, print what was loaded. The test compiles it against the installed tarball in a fresh
// folder; the repository's own build never sees it (it imports 'taskmill' by package name).
import 'reflect-metadata';
import { readFileSync } from 'fs';
import { dirname } from 'path';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConnectionOption, QueueModule, QueueService, Task } from 'taskmill';
import { startRedis } from 'taskmill/testing';

@Injectable()
class Greeter {
  @Task('greet')
  async greet(name: string): Promise<string> {
    return `hello ${name}`;
  }
}

function versionOf(name: string, from: string): string {
  const file = require.resolve(`${name}/package.json`, { paths: [from] });
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** A URL, or with SCRATCH_CONNECT=client the app's own ioredis client, passed in. */
async function connect(url: string): Promise<{ connection: ConnectionOption; close(): void }> {
  if (process.env.SCRATCH_CONNECT !== 'client') return { connection: url, close: () => {} };
  const { Redis } = await import('ioredis');
  const client = new Redis(url);
  return { connection: client, close: () => client.disconnect() };
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const { connection, close } = await connect(redis.url);
  @Module({ imports: [QueueModule.forRoot({ connection })], providers: [Greeter] })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  const queue = app.get(QueueService);
  const handle = await queue.enqueue(Greeter, 'greet', ['a packaged app']);
  const result: string = await handle.result({ timeout: 10_000 });
  await app.close();
  close();
  await redis.stop();
  const taskmill = dirname(require.resolve('taskmill'));
  const report = {
    result,
    nest: versionOf('@nestjs/core', __dirname),
    ioredisOfTaskmill: versionOf('ioredis', taskmill),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
