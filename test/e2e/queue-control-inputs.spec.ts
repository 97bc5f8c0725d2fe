import { Redis } from 'ioredis';
import { InvalidOptionsError, QueueState, UnknownQueueError } from '../../lib';
import { allDataOf } from '../support/queue-state';
import { rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

describe('queue control and inspection: bad inputs', () => {
  let t: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    t = await createTestApp([], { worker: { enabled: false } });
    redis = rawRedis();
    await t.queue.enqueue('known.work', [], { queue: 'known' });
    await t.queue.enqueue('known.work', [], { queue: 'known', delay: 60_000 });
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  const snapshot = () => allDataOf(redis, t.prefix);

  it.each<[string, () => Promise<unknown>]>([
    ['stats() of a bad queue name', () => t.queue.stats('a:b')],
    ['list() of a bad queue name', () => t.queue.list('', 'waiting')],
    ['pause() of a bad queue name', () => t.queue.pause('{x}')],
    ['resume() of a bad queue name', () => t.queue.resume(42 as never)],
    ['drain() of a bad queue name', () => t.queue.drain('a b')],
    ['obliterate() of a bad queue name', () => t.queue.obliterate('x'.repeat(129))],
    ['list() of an unknown state', () => t.queue.list('known', 'done' as QueueState)],
    ['list() with a negative offset', () => t.queue.list('known', 'waiting', { offset: -1 })],
    ['list() with a negative limit', () => t.queue.list('known', 'delayed', { limit: -5 })],
    ['list() with a zero limit', () => t.queue.list('known', 'waiting', { limit: 0 })],
    ['list() with a limit above 1000', () => t.queue.list('known', 'dead', { limit: 1001 })],
    ['list() with a fractional offset', () => t.queue.list('known', 'waiting', { offset: 1.5 })],
    [
      'list() with an unknown page option',
      () => t.queue.list('known', 'waiting', { size: 1 } as never),
    ],
    [
      'obliterate() with a force that is not boolean',
      () => t.queue.obliterate('known', { force: 'yes' as never }),
    ],
    [
      'obliterate() with an unknown option',
      () => t.queue.obliterate('known', { forced: true } as never),
    ],
  ])('rejects %s with InvalidOptionsError and changes nothing', async (_what, call) => {
    const before = await snapshot();
    await expect(call()).rejects.toBeInstanceOf(InvalidOptionsError);
    expect(await snapshot()).toEqual(before);
  });

  it.each<[string, () => Promise<unknown>]>([
    ['stats()', () => t.queue.stats('unknown')],
    ['list()', () => t.queue.list('unknown', 'waiting')],
    ['pause()', () => t.queue.pause('unknown')],
    ['resume()', () => t.queue.resume('unknown')],
    ['drain()', () => t.queue.drain('unknown')],
    ['obliterate()', () => t.queue.obliterate('unknown', { force: true })],
  ])(
    'rejects %s of an unknown queue with UnknownQueueError and changes nothing',
    async (_what, call) => {
      const before = await snapshot();
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownQueueError);
      expect(error).toMatchObject({ queue: 'unknown' });
      expect(await snapshot()).toEqual(before);
      expect((await t.queue.queues()).map((q) => q.queue)).toEqual(['known']);
    },
  );

  it('names the offending field', async () => {
    await expect(t.queue.list('known', 'waiting', { limit: 1001 })).rejects.toMatchObject({
      field: 'limit',
    });
    await expect(t.queue.list('known', 'nope' as QueueState)).rejects.toMatchObject({
      field: 'state',
    });
    await expect(t.queue.obliterate('known', { force: 1 as never })).rejects.toMatchObject({
      field: 'options.force',
    });
  });
});
