import { Injectable } from '@nestjs/common';
import { InvalidOptionsError, Task, TaskStatus } from '../../lib';
import { failureOf } from '../support/failures';
import { taskKeyOf } from '../support/queue-state';
import { rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const behaviour = { fail: true };

@Injectable()
class Fragile {
  @Task({ name: 'fragile.work', queue: 'fragile', retries: 0 })
  async work(label: string): Promise<string> {
    if (behaviour.fail) throw new Error(`cannot do ${label}`);
    return `did ${label}`;
  }
}

describe('dead-letter set', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([Fragile])));
  afterAll(() => t.close());
  beforeEach(() => (behaviour.fail = true));

  async function failed(labels: string[]) {
    const handles = [];
    for (const label of labels) {
      const handle = await t.queue.enqueue('fragile.work', [label], { queue: 'fragile' });
      await failureOf(handle);
      handles.push(handle);
    }
    return handles;
  }

  it('lists failed tasks newest first, with their error', async () => {
    await t.queue.purgeDead('fragile');
    const [a, b] = await failed(['a', 'b']);
    const dead = await t.queue.deadLetters('fragile');
    expect(dead.map((d) => d.id)).toEqual([b.id, a.id]);
    expect(dead[0]).toMatchObject({ task: 'fragile.work', queue: 'fragile', attempt: 1 });
    expect(dead[0].error).toMatchObject({ name: 'Error', message: 'cannot do b' });
    expect(dead[0].failedAt).toBeGreaterThanOrEqual(dead[1].failedAt);
    expect(
      (await t.queue.deadLetters('fragile', { offset: 1, limit: 1 })).map((d) => d.id),
    ).toEqual([a.id]);
  });

  it('requeues a failed task by id: it runs again and leaves the set', async () => {
    await t.queue.purgeDead('fragile');
    const [a, b] = await failed(['a', 'b']);
    behaviour.fail = false;
    await expect(t.queue.requeueDead('fragile', [a.id])).resolves.toEqual([a.id]);
    await expect(t.queue.handle(a.id).result({ timeout: 5000 })).resolves.toBe('did a');
    expect((await t.queue.handle(a.id).history()).map((h) => h.status)).toEqual([
      TaskStatus.SUBMITTED,
      TaskStatus.RUNNING,
      TaskStatus.FAILED,
      TaskStatus.SUBMITTED,
      TaskStatus.RUNNING,
      TaskStatus.SUCCEEDED,
    ]);
    expect((await t.queue.deadLetters('fragile')).map((d) => d.id)).toEqual([b.id]);
  });

  it('requeues every failed task when no id is given', async () => {
    await t.queue.purgeDead('fragile');
    const handles = await failed(['x', 'y']);
    behaviour.fail = false;
    expect((await t.queue.requeueDead('fragile')).sort()).toEqual(handles.map((h) => h.id).sort());
    await expect(Promise.all(handles.map((h) => h.result({ timeout: 5000 })))).resolves.toEqual([
      'did x',
      'did y',
    ]);
    expect(await t.queue.deadLetters('fragile')).toEqual([]);
  });

  it('purges failed tasks with their records', async () => {
    await t.queue.purgeDead('fragile');
    const [a] = await failed(['gone']);
    await expect(t.queue.purgeDead('fragile')).resolves.toBe(1);
    expect(await t.queue.deadLetters('fragile')).toEqual([]);
    const redis = rawRedis();
    expect(await redis.exists(taskKeyOf(t, 'fragile', a.id))).toBe(0);
    redis.disconnect();
  });

  it.each<[string, () => Promise<unknown>]>([
    ['a bad queue name', () => t.queue.deadLetters('a:b')],
    ['a zero limit', () => t.queue.deadLetters('fragile', { limit: 0 })],
    ['a negative offset', () => t.queue.deadLetters('fragile', { offset: -1 })],
    ['ids that are not an array', () => t.queue.requeueDead('fragile', 'id' as never)],
    ['an id with whitespace', () => t.queue.purgeDead('fragile', ['a b'])],
  ])('rejects %s with InvalidOptionsError', async (_what, call) => {
    await expect(call()).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});
