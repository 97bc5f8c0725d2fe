import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { filter, firstValueFrom, lastValueFrom, share } from 'rxjs';
import { Task, TaskHandle, TaskNotFoundError, TaskStatus } from '../../lib';
import { RedisConnections } from '../../lib/redis/redis-connections';
import { Gate } from '../support/gate';
import { rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';
import { taskKey } from '../support/task-keys';

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
    expect(await redis.pttl(taskKey(t, 'default', waiting.id))).toBe(-1);
    await waiting.cancel();

    const handle = await t.queue.enqueue('short.echo', ['soon gone']);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('soon gone');
    const ttl = await redis.pttl(taskKey(t, 'default', handle.id));
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
    expect(await redis.exists(taskKey(t, 'default', handle.id))).toBe(0);
    await expect(handle.result()).rejects.toBeInstanceOf(TaskNotFoundError);
  });

  it('forgets a result after resultTtl: UNKNOWN status, result() rejects with TaskNotFoundError', async () => {
    const handle = await t.queue.enqueue('short.echo', ['ephemeral'], { resultTtl: 150 });
    await handle.result({ timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await handle.status()).status).toBe(TaskStatus.UNKNOWN);
    await expect(handle.result({ timeout: 1000 })).rejects.toBeInstanceOf(TaskNotFoundError);
    expect(await redis.exists(taskKey(t, 'default', handle.id))).toBe(0);
  });
});

describe('a task with resultTtl 0 that finishes while a waiter reads its record', () => {
  it.each([
    ['result()', (_t: TestApp, handle: TaskHandle) => handle.result({ timeout: 10_000 })],
    [
      'allResults()',
      (t: TestApp, handle: TaskHandle) =>
        t.queue.allResults([handle], { timeout: 10_000 }).then(([value]) => value),
    ],
  ])('still gets its result through %s, from the final event heard meanwhile', async (_, wait) => {
    const t = await createTestApp([ShortLived], { worker: { enabled: false } });
    try {
      const handle = await t.queue.enqueue('short.echo', ['just in time'], { resultTtl: 0 });
      // The waiter's first read of the record is held back until the task has finished and
      // its record is gone: its final event reaches the waiter first.
      const command = t.app.get(RedisConnections).command;
      const read = command.hmget.bind(command);
      const readStarted = new Gate();
      const recordGone = new Gate();
      jest.spyOn(command, 'hmget').mockImplementationOnce(((...args: Parameters<typeof read>) => {
        readStarted.release();
        return recordGone.wait().then(() => read(...args));
      }) as typeof command.hmget);
      const result = wait(t, handle);
      await readStarted.wait();
      // Heard through the same events reader as the waiter's: when this sees it, so has it.
      // Its first update (the snapshot, read past the held-back one) says it is listening.
      const updates = handle.status$.pipe(share());
      const succeeded = firstValueFrom(
        updates.pipe(filter((update) => update.status === TaskStatus.SUCCEEDED)),
      );
      await firstValueFrom(updates);
      await t.worker.start();
      await succeeded;
      recordGone.release();
      await expect(result).resolves.toBe('just in time');
    } finally {
      await t.close();
    }
  });
});
