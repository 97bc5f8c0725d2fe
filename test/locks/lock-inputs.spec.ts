import { Redis } from 'ioredis';
import { InvalidOptionsError, LockHandle, LockService } from '../../lib';
import { rawRedis, snapshotOf } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

describe('LockService: bad inputs', () => {
  let t: TestApp;
  let locks: LockService;
  let redis: Redis;
  beforeAll(async () => {
    t = await createTestApp([], { worker: { enabled: false } });
    locks = t.app.get(LockService);
    redis = rawRedis();
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  const snapshot = () => snapshotOf(redis, t.prefix);

  const fn = jest.fn();
  const bad = (value: unknown) => value as never;

  it.each<[string, string, () => Promise<unknown>]>([
    ['a name with a colon', 'name', () => locks.acquire('a:b')],
    ['an empty name', 'name', () => locks.acquire('')],
    ['a name that is not a string', 'name', () => locks.acquire(42 as never)],
    ['a name of 129 characters', 'name', () => locks.acquire('x'.repeat(129))],
    ['a name with a brace', 'name', () => locks.withLock('{x}', fn)],
    ['a ttl below 100 ms', 'options.ttl', () => locks.acquire('ok', { ttl: 99 })],
    ['a negative ttl', 'options.ttl', () => locks.acquire('ok', { ttl: -1 })],
    ['a ttl that is NaN', 'options.ttl', () => locks.acquire('ok', { ttl: NaN })],
    ['a ttl given as a string', 'options.ttl', () => locks.acquire('ok', bad({ ttl: '1000' }))],
    ['a negative wait', 'options.wait', () => locks.acquire('ok', { wait: -1 })],
    ['a wait above 2^31-1 ms', 'options.wait', () => locks.withLock('ok', fn, { wait: 2 ** 31 })],
    ['an empty owner', 'options.owner', () => locks.acquire('ok', { owner: '' })],
    ['an owner with a space', 'options.owner', () => locks.acquire('ok', { owner: 'a b' })],
    ['a renew that is not boolean', 'options.renew', () => locks.acquire('ok', bad({ renew: 1 }))],
    ['an unknown option', 'options.ttll', () => locks.acquire('ok', bad({ ttll: 1000 }))],
    ['a held() page with a negative offset', 'offset', () => locks.held({ offset: -1 })],
    ['a held() page above 1 000', 'limit', () => locks.held({ limit: 1_001 })],
    ['a held() page with an unknown key', 'size', () => locks.held(bad({ size: 5 }))],
    ['options that are not an object', 'options', () => locks.acquire('ok', bad('fast'))],
    ['a withLock without a function', 'fn', () => locks.withLock('ok', 'run' as never)],
    ['isHeld() of a bad name', 'name', () => locks.isHeld('a b')],
    ['holder() of a bad name', 'name', () => locks.holder('')],
    ['release() of something else', 'lock', () => locks.release(bad({ name: 'ok', token: 'x' }))],
  ])(
    'rejects %s with InvalidOptionsError naming %s, and writes nothing',
    async (_what, field, call) => {
      const before = await snapshot();
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ field });
      expect(await snapshot()).toEqual(before);
      expect(fn).not.toHaveBeenCalled();
    },
  );

  it('rejects a bad ttl given to extend(), and keeps the lock as it was', async () => {
    const lock = (await locks.acquire('kept', { ttl: 5_000 })) as LockHandle;
    const ttlBefore = await redis.pttl(`{${t.prefix}}:lock:kept`);
    await expect(lock.extend(50)).rejects.toMatchObject({ field: 'ttl' });
    expect(await redis.pttl(`{${t.prefix}}:lock:kept`)).toBeLessThanOrEqual(ttlBefore);
    expect(await lock.release()).toBe(true);
  });
});
