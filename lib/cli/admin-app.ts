import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueModule } from '../module/queue.module';
import { QueueService } from '../queue/queue.service';
import { ResultStore } from '../results/result-store';
import { ConnectionFlags } from './cli-options';

/** The root of the CLI's application context; QueueModule is all it holds. */
@Module({})
class CliModule {}

/** What a command works with: the public services of QueueModule. */
export interface Admin {
  queue: QueueService;
  results: ResultStore;
}

/**
 * Boots a Nest application context with QueueModule on the given Redis, worker off, runs `use`
 * and closes the context whatever happens. An unreachable Redis fails the boot within
 * `connectTimeout` (ConnectionError).
 */
export async function withAdmin<T>(
  flags: ConnectionFlags,
  use: (admin: Admin) => Promise<T>,
): Promise<T> {
  const queueModule = QueueModule.forRoot({
    connection: flags.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: flags.prefix,
    keyLayout: flags.keyLayout,
    connectTimeoutMs: flags.connectTimeout,
    worker: { enabled: false },
    logging: false,
  });
  const app = await NestFactory.createApplicationContext(
    { module: CliModule, imports: [queueModule] },
    { logger: false, abortOnError: false },
  );
  try {
    return await use({ queue: app.get(QueueService), results: app.get(ResultStore) });
  } finally {
    await app.close();
  }
}
