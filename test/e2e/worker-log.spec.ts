import { ConsoleLogger, Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NonRetryableError, Task } from '../../lib';
import { QueueModule } from '../../lib';
import { RecordingLogger } from '../support/recording-logger';
import { redisFunctionsInTests, testRedisUrl, uniquePrefix } from '../support/redis';
import { RestartableRedis } from '../support/restartable-redis';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class Jobs {
  @Task({ name: 'log.ok', queue: 'logged' })
  async ok(): Promise<string> {
    return 'fine';
  }

  @Task({ name: 'log.hostile', queue: 'logged' })
  async hostile(): Promise<never> {
    throw new NonRetryableError('\u001b[2J\u001b]0;pwned\u0007line\nforged log line\u202e');
  }

  @Task({ name: 'log.broken', queue: 'logged', retries: 1, backoff: 1 })
  async broken(): Promise<never> {
    throw new Error('the printer is on fire');
  }
}

/** What the worker writes to the app's Nest logger without anyone subscribing to events$. */
describe('worker log', () => {
  const apps: TestApp[] = [];
  afterEach(() => Promise.all(apps.splice(0).map((app) => app.close())));

  async function start(
    logger: RecordingLogger,
    options: Parameters<typeof createTestApp>[1] = {},
  ): Promise<TestApp> {
    const app = await createTestApp([Jobs], { worker: { concurrency: 3 }, ...options }, logger);
    apps.push(app);
    return app;
  }

  it('logs the start with queues and concurrency, and the stop', async () => {
    const logger = new RecordingLogger();
    const app = await start(logger);
    expect(logger.of()).toContainEqual(
      expect.objectContaining({
        level: 'log',
        message: 'worker started on queues logged (concurrency 3)',
      }),
    );
    await app.worker.stop();
    expect(logger.of().map((line) => line.message)).toContain('worker stopped');
  });

  it('writes control characters of task errors as visible escapes: no terminal control, no forged lines', async () => {
    const logger = new RecordingLogger();
    const app = await start(logger);
    const hostile = await app.queue.enqueue('log.hostile', [], { queue: 'logged' });
    const failed = await logger.next(
      (line) => line.message.includes(hostile.id) && line.message.includes('failed for good'),
    );
    // eslint-disable-next-line no-control-regex -- the point: no control character is left
    expect(failed.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(failed.message).toContain('\\x1b[2J\\x1b]0;pwned\\x07line\\nforged log line\\u202e');
  });

  it('logs a task that failed for good at error level, without its stack; a success below info', async () => {
    const logger = new RecordingLogger();
    const app = await start(logger);
    const ok = await app.queue.enqueue('log.ok', [], { queue: 'logged' });
    const broken = await app.queue.enqueue('log.broken', [], { queue: 'logged' });
    const failed = await logger.next(
      (line) => line.message.includes(broken.id) && line.message.includes('failed for good'),
    );
    expect(failed).toMatchObject({ level: 'error', context: 'taskmill:Worker' });
    expect(failed.message).toBe(
      `task log.broken (id ${broken.id}, queue logged) failed for good after 2 attempts: ` +
        `Error: the printer is on fire`,
    );
    expect(failed.extra.filter((extra) => extra !== undefined)).toEqual([]);
    // The stack goes to debug, for whoever turns that on.
    const stack = await logger.next((line) => line.message.startsWith('Error: the printer'));
    expect(stack.level).toBe('debug');
    expect(stack.message).toContain('worker-log.spec.ts');

    await ok.result({ timeout: 5000 });
    const succeeded = await logger.next((line) =>
      line.message.includes(`${ok.id}, queue logged, attempt 1) succeeded`),
    );
    expect(succeeded.level).toBe('debug');
    const aboutOk = logger.of().filter((line) => line.message.includes(ok.id));
    expect(aboutOk.map((line) => line.level).sort()).toEqual(['debug', 'verbose']);
  });

  it('says nothing with logging: false, and only the chosen levels with a list', async () => {
    const silent = new RecordingLogger();
    const quiet = await start(silent, { logging: false });
    const handle = await quiet.queue.enqueue('log.broken', [], { queue: 'logged' });
    await expect(handle.result({ timeout: 5000 })).rejects.toThrow('the printer is on fire');
    await quiet.close();
    apps.splice(0);
    expect(silent.of()).toEqual([]);

    const errorsOnly = new RecordingLogger();
    const picky = await start(errorsOnly, { logging: ['error'] });
    const again = await picky.queue.enqueue('log.broken', [], { queue: 'logged' });
    await errorsOnly.next((line) => line.message.includes(`id ${again.id}`));
    expect(errorsOnly.of().map((line) => line.level)).toEqual(['error']);
  });

  it('leaves silencing to the app: logger: false on the app hides the start line', async () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      // Nest's console logger (what an app gets by default; the testing module replaced it).
      for (const logger of [new ConsoleLogger(), false as const]) {
        const context = await NestFactory.createApplicationContext(
          QueueModule.forRoot({
            connection: testRedisUrl(),
            prefix: uniquePrefix(),
            redisFunctions: redisFunctionsInTests(),
            worker: { queues: ['logged'] },
          }),
          { logger },
        );
        await context.close();
        written.push('--- closed ---');
      }
    } finally {
      write.mockRestore();
    }
    const [withDefault, withFalse] = written.join('').split('--- closed ---');
    // The control: the console logger prints the line, so the spy sees it.
    expect(withDefault).toMatch(/\[taskmill:Worker\].*worker started on queues logged/);
    expect(withFalse).not.toContain('taskmill:Worker');
  });

  describe('during a Redis outage', () => {
    let redis: RestartableRedis;
    beforeAll(async () => (redis = await RestartableRedis.start()));
    afterAll(() => redis.stop());

    it('logs a worker error naming the server, at warn level, once', async () => {
      const logger = new RecordingLogger();
      await start(logger, {
        connection: redis.url,
        // The lease sweep is what notices the outage while the worker idles: make it quick.
        commandTimeoutMs: 300,
        worker: { shutdownTimeoutMs: 100, leaseMs: 600 },
      });
      await logger.next((line) => line.message.startsWith('worker started'));
      await redis.kill();
      const error = await logger.next((line) => line.message.startsWith('worker error'));
      expect(error).toMatchObject({ level: 'warn', context: 'taskmill:Worker' });
      expect(error.message).toContain(`Redis at 127.0.0.1:${redis.port}`);
      await logger.next(
        (line) => line.level === 'debug' && line.message.startsWith('worker error'),
      );
      await redis.up();
      // Repeats of the same outage go to debug: an outage is not one warning per retry.
      const warnings = logger.of().filter((line) => line.message.startsWith('worker error'));
      expect(warnings.filter((line) => line.level === 'warn')).toHaveLength(1);
    });
  });
});
