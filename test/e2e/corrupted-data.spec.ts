import { Injectable } from '@nestjs/common';
import { Task } from '../../lib';
import { TASK_FIELDS } from '../../lib/broker/keys';
import { failureOf } from '../support/failures';
import { rawRedis, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';
import { taskKey } from '../support/task-keys';

@Injectable()
class Sturdy {
  @Task({ name: 'sturdy.echo', queue: 'sturdy' })
  async echo(value: string): Promise<string> {
    return value;
  }
}

/**
 * Foreign or corrupted data under our prefix: the worker moves the bad task to the dead-letter
 * set with a reason and goes on with the rest, instead of crashing or wedging.
 */
describe('corrupted data in Redis', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function setup(corrupt: (key: string) => Promise<unknown>) {
    const prefix = uniquePrefix();
    const producer = await createTestApp([], { prefix, worker: { enabled: false } });
    apps.push(producer);
    const bad = await producer.queue.enqueue('sturdy.echo', ['bad'], { queue: 'sturdy' });
    const good = await producer.queue.enqueue('sturdy.echo', ['good'], { queue: 'sturdy' });
    await corrupt(taskKey(producer, 'sturdy', bad.id));
    apps.push(await createTestApp([Sturdy], { prefix }));
    return { producer, bad, good };
  }

  it('quarantines a task whose record lost its name, and runs the next one', async () => {
    const redis = rawRedis();
    const { producer, bad, good } = await setup((key) => redis.hdel(key, TASK_FIELDS.name));
    await expect(good.result({ timeout: 5000 })).resolves.toBe('good');
    const error = await failureOf(bad);
    expect(error.remoteName).toBe('CorruptTaskError');
    expect((await producer.queue.deadLetters('sturdy')).map((d) => d.id)).toContain(bad.id);
    redis.disconnect();
  });

  it('fails a task whose stored options cannot be read, with the reason', async () => {
    const redis = rawRedis();
    const { bad, good } = await setup((key) => redis.hset(key, TASK_FIELDS.options, '{not json'));
    await expect(good.result({ timeout: 5000 })).resolves.toBe('good');
    const error = await failureOf(bad);
    expect(error.remoteName).toBe('CorruptTaskError');
    expect(error.remoteMessage).toContain('stored options cannot be read');
    redis.disconnect();
  });

  it('fails a task whose arguments are not valid JSON, without retrying it', async () => {
    const redis = rawRedis();
    const { bad, good } = await setup((key) => redis.hset(key, TASK_FIELDS.args, '["unterminated'));
    await expect(good.result({ timeout: 5000 })).resolves.toBe('good');
    const error = await failureOf(bad);
    expect(error.attempts).toBe(1);
    redis.disconnect();
  });
});
