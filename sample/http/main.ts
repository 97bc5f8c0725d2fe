// `npm run sample:http`: an Express app on http://localhost:3000 (PORT to change it) that
// enqueues from a controller and streams the task's status to the browser over SSE. With no
// REDIS_URL it starts (and on Ctrl+C stops) a private redis-server.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { TaskmillError } from '../../lib';
import { log } from '../print';
import { provideRedis } from '../redis';
import { HttpSampleModule } from './app.module';

async function main(): Promise<void> {
  const redis = await provideRedis(log);
  const app = await NestFactory.create(HttpSampleModule.forRedis(redis.url));
  // Ctrl+C: the worker stops gracefully, then process.exit's hook stops the private Redis.
  app.enableShutdownHooks(['SIGINT', 'SIGTERM'], { useProcessExit: true });
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  log(`open http://localhost:${port} and press "Render a thumbnail" (Ctrl+C to stop)`);
}

main().catch((error: unknown) => {
  if (error instanceof TaskmillError) console.error(`\n${error.message}`);
  else console.error(error);
  process.exit(1);
});
