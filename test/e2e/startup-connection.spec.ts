import { once } from 'events';
import { Injectable } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  ConnectionError,
  InvalidOptionsError,
  QueueModule,
  QueueModuleOptions,
  QueueService,
  Task,
} from '../../lib';
import { RedisConnections } from '../../lib/redis/redis-connections';
import { startPrivateRedis } from '../../lib/testing';
import { freePort } from '../../lib/testing/redis-process';
import { RecordingLogger } from '../support/recording-logger';
import { redisFunctionsInTests, uniquePrefix } from '../support/redis';
import { createTestApp } from '../support/test-app';

const PASSWORD = 's3cret-Pa55';

@Injectable()
class Echo {
  @Task('startup.echo')
  async echo(value: string): Promise<string> {
    return value;
  }
}

/** Builds and inits an app on forRoot or forRootAsync, without closing it when init fails. */
async function boot(
  options: QueueModuleOptions,
  how: 'forRoot' | 'forRootAsync',
  logger = new RecordingLogger(),
): Promise<{ app: TestingModule; started: Promise<unknown> }> {
  const full = { prefix: uniquePrefix(), redisFunctions: redisFunctionsInTests(), ...options };
  const app = await Test.createTestingModule({
    imports: [
      how === 'forRoot'
        ? QueueModule.forRoot(full)
        : QueueModule.forRootAsync({ useFactory: async () => full }),
    ],
    providers: [Echo],
  })
    .setLogger(logger)
    .compile();
  return { app, started: app.init() };
}

/** Startup waits up to connectTimeoutMs for Redis, so a wrong URL fails the deploy. */
describe('startup connection check', () => {
  let closedUrl: string;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    closedUrl = `redis://taskmill:${PASSWORD}@127.0.0.1:${port}`;
  });

  it.each(['forRoot', 'forRootAsync'] as const)(
    'fails the start (%s) with a ConnectionError naming host:port and the option, never the password',
    async (how) => {
      const logger = new RecordingLogger();
      const { app, started } = await boot(
        { connection: closedUrl, connectTimeoutMs: 300 },
        how,
        logger,
      );
      const error = (await started.catch((e: unknown) => e)) as ConnectionError;
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toContain(`Redis at 127.0.0.1:${port} (command connection)`);
      expect(error.message).toContain('did not answer within 300 ms (connectTimeoutMs)');
      expect(error.message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
      expect(error.message).toContain('connectTimeoutMs: 0');
      const everything = [error.message, ...logger.lines.map((line) => line.message)].join('\n');
      expect(everything).not.toContain(PASSWORD);
      expect(everything).not.toContain(closedUrl);
      // Nest runs no shutdown hooks after a failed init: taskmill let go of its connections
      // itself, or ioredis would go on reconnecting and keep the process alive.
      const command = app.get(RedisConnections).command;
      if (command.status !== 'end') await once(command, 'end');
    },
  );

  it('gives a client passed in the same check, and leaves it to its owner', async () => {
    const mine = new Redis(closedUrl, { lazyConnect: true });
    mine.on('error', () => undefined);
    try {
      const { started } = await boot({ connection: mine, connectTimeoutMs: 300 }, 'forRoot');
      await expect(started).rejects.toThrow(
        new RegExp(`Redis at 127\\.0\\.0\\.1:${port} .*did not answer within 300 ms`),
      );
      expect(mine.status).not.toBe('end');
    } finally {
      mine.disconnect();
    }
  });

  it('with connectTimeoutMs: 0 starts without Redis; calls then fail naming the server', async () => {
    const app = await createTestApp([Echo], {
      connection: closedUrl,
      connectTimeoutMs: 0,
      commandTimeoutMs: 200,
      worker: { shutdownTimeoutMs: 100 },
    });
    try {
      const error = (await app.queue
        .enqueue('startup.echo', ['x'])
        .catch((e: unknown) => e)) as ConnectionError;
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toContain(`Redis at 127.0.0.1:${port}`);
      expect(error.message).toContain('(commandTimeoutMs)');
      expect(error.message).not.toContain(PASSWORD);
    } finally {
      await app.close();
    }
  });

  it('fails the start when Redis refuses the password, naming the server but not the password', async () => {
    const redis = await startPrivateRedis();
    const admin = new Redis(redis.url);
    await admin.config('SET', 'requirepass', 'the-right-one');
    admin.disconnect();
    try {
      const url = new URL(redis.url);
      url.password = PASSWORD;
      const { started } = await boot({ connection: url.toString() }, 'forRoot');
      const error = (await started.catch((e: unknown) => e)) as ConnectionError;
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toContain(`Redis at 127.0.0.1:${url.port}`);
      expect(error.message).toMatch(/WRONGPASS|NOAUTH/);
      expect(error.message).not.toContain(PASSWORD);
    } finally {
      await redis.stop();
    }
  });

  it('refuses a bad connectTimeoutMs from forRootAsync with InvalidOptionsError', async () => {
    const building = Test.createTestingModule({
      imports: [QueueModule.forRootAsync({ useFactory: () => ({ connectTimeoutMs: -5 }) })],
    }).compile();
    const error = (await building.catch((e: unknown) => e)) as InvalidOptionsError;
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.field).toBe('connectTimeoutMs');
  });

  it('starts once Redis answers within connectTimeoutMs, and serves', async () => {
    const redis = await startPrivateRedis();
    try {
      const { app, started } = await boot({ connection: redis.url }, 'forRootAsync');
      await started;
      const handle = await app.get(QueueService).enqueue('startup.echo', ['up']);
      await expect(handle.result({ timeout: 5000 })).resolves.toBe('up');
      await app.close();
    } finally {
      await redis.stop();
    }
  });
});
