import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { Task, TaskNotFoundError, TaskStatus } from '../../lib';
import { rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class ShortLived {
  @Task({ name: 'short.echo', resultTtl: 300 })
  async echo(value: string): Promise<string> {
    return value;
  }
}

describe('result expiry', () => {
  let t: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    t = await createTestApp([ShortLived], { worker: { enabled: true } });
    redis = rawRedis();
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  it('keeps a waiting task without expiry and a finished one for resultTtl', async () => {
    const waiting = await t.queue.enqueue('short.echo', ['later'], { delay: 60_000 });
    expect(await redis.pttl(`{${t.prefix}}:t:${waiting.id}`)).toBe(-1);
    await waiting.cancel();

    const handle = await t.queue.enqueue('short.echo', ['soon gone']);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('soon gone');
    const ttl = await redis.pttl(`{${t.prefix}}:t:${handle.id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
  });

  it('forgets a task as soon as it finishes with resultTtl 0', async () => {
    const handle = await t.queue.enqueue('short.echo', ['fire and forget'], {
      resultTtl: 0,
      delay: 100,
    });
    const done = lastValueFrom(handle.status$);
    expect((await done).status).toBe(TaskStatus.SUCCEEDED);
    expect(await redis.exists(`{${t.prefix}}:t:${handle.id}`)).toBe(0);
    await expect(handle.result()).rejects.toBeInstanceOf(TaskNotFoundError);
  });

  it('forgets a result after resultTtl: UNKNOWN status, result() rejects with TaskNotFoundError', async () => {
    const handle = await t.queue.enqueue('short.echo', ['ephemeral'], { resultTtl: 150 });
    await handle.result({ timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await handle.status()).status).toBe(TaskStatus.UNKNOWN);
    await expect(handle.result({ timeout: 1000 })).rejects.toBeInstanceOf(TaskNotFoundError);
    expect(await redis.exists(`{${t.prefix}}:t:${handle.id}`)).toBe(0);
  });
});
