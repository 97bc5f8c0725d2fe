import { LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { QueueModule, QueueModuleOptions, QueueService, WorkerService } from '../../lib';
import { RedisConnections } from '../../lib/redis/redis-connections';
import { keyLayoutInTests, redisFunctionsInTests, testRedisUrl, uniquePrefix } from './redis';

export interface TestApp {
  app: TestingModule;
  queue: QueueService;
  worker: WorkerService;
  prefix: string;
  close(): Promise<void>;
}

/**
 * Boots a real Nest application with QueueModule on the private test Redis. `logger`: the
 * app's Nest logger (default Nest's testing logger, which prints errors only).
 */
export async function createTestApp(
  providers: ModuleMetadata['providers'] = [],
  options: QueueModuleOptions = {},
  logger?: LoggerService,
): Promise<TestApp> {
  const prefix = options.prefix ?? uniquePrefix();
  const builder = Test.createTestingModule({
    imports: [
      QueueModule.forRoot({
        connection: testRedisUrl(),
        redisFunctions: redisFunctionsInTests(),
        // The default ('auto': 'prefix' on the one test server) unless the run asks for 'queue'.
        ...(keyLayoutInTests() === 'queue' && { keyLayout: 'queue' as const }),
        ...options,
        prefix,
      }),
    ],
    providers,
  });
  if (logger) builder.setLogger(logger);
  const app = await builder.compile();
  try {
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    // Nest 11's close() after a failed init runs no shutdown hook (Nest 12's does), so the
    // connections that taskmill's startup check opened would keep the test process alive.
    await app.get(RedisConnections).closeAll();
    throw error;
  }
  return {
    app,
    prefix,
    queue: app.get(QueueService),
    worker: app.get(WorkerService),
    close: () => app.close(),
  };
}

/**
 * Opens apps with createTestApp that are closed after each test of the describe block this is
 * called in.
 */
export function appsClosedAfterEach(): (
  ...args: Parameters<typeof createTestApp>
) => Promise<TestApp> {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  return async (...args) => {
    const app = await createTestApp(...args);
    apps.push(app);
    return app;
  };
}

/** Options of a producer-only app on `prefix`: no worker. */
export function producerOptions(prefix: string, strict = false): QueueModuleOptions {
  return { prefix, strict, worker: { enabled: false } };
}
