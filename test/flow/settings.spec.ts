import { Injectable } from '@nestjs/common';
import { QueueSettings, Task } from '../../lib';
import { RecordingLogger } from '../support/recording-logger';
import { dataKeysOf, rawRedis, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class Limited {
  @Task({ name: 'settings.charge', queue: 'stored', rateLimit: { max: 7, perMs: 250 } })
  charge(): void {}
}

describe('flow settings stored in Redis', () => {
  const prefix = uniquePrefix();
  const apps: TestApp[] = [];

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function start(stored: QueueSettings, logger = new RecordingLogger()) {
    const app = await createTestApp([Limited], { prefix, queues: { stored } }, logger);
    apps.push(app);
    return { app, warnings: () => logger.lines.filter((line) => line.level === 'warn') };
  }

  it('stores what an app declares at startup, readable with queue.settings()', async () => {
    const { app } = await start({ rateLimit: { max: 10, perMs: 1000 }, concurrency: 5 });
    expect(await app.queue.settings('stored')).toEqual({
      queue: 'stored',
      shards: 1,
      rateLimit: { max: 10, perMs: 1000 },
      concurrency: 5,
      taskRateLimits: { 'settings.charge': { max: 7, perMs: 250 } },
      declaredBy: expect.stringMatching(/:\d+$/),
    });
  });

  it('lets the last app to start win, warning loudly with both values', async () => {
    await start({ rateLimit: { max: 10, perMs: 1000 }, concurrency: 5 });
    const second = await start({ rateLimit: { max: 20, perMs: 500 } });
    const [warning] = second.warnings().map((line) => line.message);
    expect(warning).toContain('queue "stored"');
    expect(warning).toContain('rateLimit { max: 20, perMs: 500 }');
    expect(warning).toContain('rateLimit { max: 10, perMs: 1000 }, concurrency 5');
    const settings = await second.app.queue.settings('stored');
    expect(settings).toMatchObject({ rateLimit: { max: 20, perMs: 500 } });
    expect(settings.concurrency).toBeUndefined();

    const third = await start({ rateLimit: { max: 20, perMs: 500 } });
    expect(third.warnings()).toEqual([]);
  });

  it('keeps no settings key for a queue without limits', async () => {
    const { app } = await start({});
    expect(await app.queue.settings('stored')).toEqual({
      queue: 'stored',
      shards: 1,
      taskRateLimits: { 'settings.charge': { max: 7, perMs: 250 } },
    });
    const redis = rawRedis();
    try {
      const keys = await dataKeysOf(redis, app.prefix);
      // The task name's limit is there (its worker declared it); nothing for the queue itself.
      expect(keys.filter((key) => key.endsWith(':settings'))).toHaveLength(1);
      const fields = await redis.hkeys(keys.find((key) => key.endsWith(':settings')) ?? '');
      // 'rate-names' tells claims that some task name of the queue has a rate limit.
      expect(fields.sort()).toEqual([
        'declared:settings.charge',
        'rate-names',
        'rate:settings.charge',
      ]);
    } finally {
      redis.disconnect();
    }
  });
});
