import { Redis } from 'ioredis';
import { LockHandle, LockLostError, LockService, LockTimeoutError, TaskmillError } from '../../lib';
import { KeyBuilder } from '../../lib/broker/keys';
import { aborted } from '../support/aborted';
import { Ledger } from '../support/ledger';
import { rawRedis, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

/** Two applications on one prefix: two processes, as far as Redis can tell. */
describe('LockService across two apps', () => {
  let one: TestApp;
  let two: TestApp;
  let a: LockService;
  let b: LockService;
  let redis: Redis;
  let keys: KeyBuilder;

  beforeAll(async () => {
    const prefix = uniquePrefix();
    one = await createTestApp([], { prefix, worker: { enabled: false } });
    two = await createTestApp([], { prefix, worker: { enabled: false } });
    a = one.app.get(LockService);
    b = two.app.get(LockService);
    redis = rawRedis();
    keys = new KeyBuilder(prefix);
  });
  afterAll(async () => {
    redis.disconnect();
    await one.close();
    await two.close();
  });

  it('lets one of 20 concurrent withLock calls from two apps in at a time, and runs them all', async () => {
    const ledger = new Ledger();
    const run = (locks: LockService, i: number) =>
      locks.withLock(
        'critical',
        async () => {
          ledger.add(`enter ${i}`);
          // Round trips inside the section give the others every chance to barge in.
          await redis.ping();
          await new Promise((resolve) => setImmediate(resolve));
          ledger.add(`exit ${i}`);
          return i;
        },
        { wait: 60_000 },
      );
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => run(i % 2 === 0 ? a : b, i)),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const { entries } = ledger;
    expect(entries).toHaveLength(40);
    for (let k = 0; k < 40; k += 2) {
      const id = entries[k].split(' ')[1];
      expect([entries[k], entries[k + 1]]).toEqual([`enter ${id}`, `exit ${id}`]);
    }
    expect(await a.isHeld('critical')).toBe(false);
  });

  it('tells who holds a lock, and nothing once it is released', async () => {
    expect(await a.holder('report')).toBeNull();
    expect(await b.isHeld('report')).toBe(false);
    const lock = (await a.acquire('report', { owner: 'alpha', ttl: 5_000 })) as LockHandle;
    expect(lock).toBeInstanceOf(LockHandle);
    expect(lock.holder).toMatch(/^alpha@.+:\d+$/);
    const seen = await b.holder('report');
    expect(seen).toMatchObject({ holder: lock.holder, fence: lock.fence });
    expect(seen?.expiresInMs).toBeGreaterThan(0);
    expect(seen?.expiresInMs).toBeLessThanOrEqual(5_000);
    expect(await b.isHeld('report')).toBe(true);
    expect(await lock.isHeld()).toBe(true);
    expect(await lock.release()).toBe(true);
    expect(await b.holder('report')).toBeNull();
    expect(await lock.isHeld()).toBe(false);
    expect(await lock.release()).toBe(false);
  });

  it('lists the locks held by any app, soonest to expire first, in pages; released or expired ones leave the list', async () => {
    const long = (await a.acquire('held-long', { owner: 'alpha', ttl: 60_000 })) as LockHandle;
    const short = (await b.acquire('held-short', { ttl: 20_000 })) as LockHandle;
    const brief = (await b.acquire('held-brief', { ttl: 150, renew: false })) as LockHandle;
    try {
      const all = await a.held();
      expect(all.locks.map((lock) => lock.name)).toEqual(['held-brief', 'held-short', 'held-long']);
      expect(all.total).toBe(3);
      expect(all.locks[2]).toMatchObject({ holder: long.holder, fence: long.fence });
      expect(all.locks[2].expiresInMs).toBeGreaterThan(0);
      const second = await b.held({ offset: 1, limit: 1 });
      expect(second).toEqual({
        total: 3,
        locks: [expect.objectContaining({ name: 'held-short' })],
      });

      // Expired without a release (its holder gave up renewing): gone from the list.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await brief.isHeld()).toBe(false);
      expect((await a.held()).locks.map((lock) => lock.name)).toEqual(['held-short', 'held-long']);
      await short.release();
      expect(await a.held()).toEqual({
        total: 1,
        locks: [expect.objectContaining({ name: 'held-long', holder: long.holder })],
      });
    } finally {
      await long.release();
      await short.release();
    }
    expect(await a.held()).toEqual({ total: 0, locks: [] });
  });

  it('returns null from a try (wait 0) while someone else holds the lock', async () => {
    const lock = (await a.acquire('busy')) as LockHandle;
    expect(await b.acquire('busy')).toBeNull();
    expect(await a.acquire('busy')).toBeNull(); // not reentrant, even in the holder's process
    await lock.release();
    const next = await b.acquire('busy');
    expect(next?.fence).toBeGreaterThan(lock.fence);
    await next?.release();
  });

  it('never lets a stale owner release a lock someone else took over', async () => {
    const stale = (await a.acquire('handover', { owner: 'alpha' })) as LockHandle;
    await redis.del(keys.lock('handover')); // as if it had expired while its holder was paused
    const fresh = (await b.acquire('handover', { owner: 'beta' })) as LockHandle;
    expect(await stale.release()).toBe(false);
    expect(await stale.extend()).toBe(false);
    expect(await stale.isHeld()).toBe(false);
    expect(await a.holder('handover')).toMatchObject({ holder: fresh.holder, fence: fresh.fence });
    expect(await fresh.isHeld()).toBe(true);
    await fresh.release();
  });

  it('hands an expired lock to a waiter, which gets a higher fence; the old handle is signalled', async () => {
    const old = (await a.acquire('expiring', { ttl: 200, renew: false })) as LockHandle;
    // No release is ever published: the waiter must wake when the holder's TTL runs out.
    const next = (await b.acquire('expiring', { wait: 20_000, owner: 'beta' })) as LockHandle;
    expect(next).toBeInstanceOf(LockHandle);
    expect(next.fence).toBeGreaterThan(old.fence);
    expect(await aborted(old.signal)).toMatchObject({ lockName: 'expiring', why: 'expired' });
    expect(old.signal.reason).toBeInstanceOf(LockLostError);
    expect(await old.release()).toBe(false);
    expect(await a.holder('expiring')).toMatchObject({ holder: next.holder });
    await next.release();
  });

  it('renews a held lock past its ttl, so that no one else gets in (and a wait times out with null)', async () => {
    const ttl = 300;
    const held = (await a.acquire('renewed', { ttl, owner: 'alpha' })) as LockHandle;
    // Waiting three ttls for a lock that would expire after one without renewal.
    expect(await b.acquire('renewed', { wait: 3 * ttl })).toBeNull();
    expect(held.lost).toBe(false);
    expect(await held.isHeld()).toBe(true);
    expect(await b.holder('renewed')).toMatchObject({ holder: held.holder, fence: held.fence });
    expect(await held.release()).toBe(true);
  });

  it('rejects withLock with LockTimeoutError, without running the function, when the wait runs out', async () => {
    const held = (await a.acquire('slow')) as LockHandle;
    const fn = jest.fn();
    const error = await b.withLock('slow', fn, { wait: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toMatchObject({ lockName: 'slow', waitMs: 100 });
    expect(fn).not.toHaveBeenCalled();
    await held.release();
  });

  it('wakes a waiter in the other app when the holder releases', async () => {
    const ledger = new Ledger();
    const held = (await a.acquire('baton')) as LockHandle;
    const waiting = b.withLock('baton', () => ledger.add('waiter in'), { wait: 60_000 });
    await new Promise((resolve) => setImmediate(resolve));
    ledger.add('holder out');
    await held.release();
    await waiting;
    expect(ledger.entries).toEqual(['holder out', 'waiter in']);
  });

  it("aborts withLock's signal when the lock is lost while the function runs, and frees nothing of the new owner", async () => {
    let taker: LockHandle | null = null;
    const reason = await a.withLock(
      'stolen',
      async (lock) => {
        await redis.del(keys.lock('stolen'));
        taker = await b.acquire('stolen', { owner: 'thief' });
        return aborted(lock.signal); // the next renewal finds the token gone
      },
      { ttl: 150 },
    );
    expect(reason).toBeInstanceOf(LockLostError);
    expect(reason).toMatchObject({ why: 'taken' });
    const thief = taker as unknown as LockHandle;
    expect(await thief.isHeld()).toBe(true);
    expect(await thief.release()).toBe(true);
  });

  it('releases the lock when the function throws, and rethrows', async () => {
    await expect(
      a.withLock('failing', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await b.isHeld('failing')).toBe(false);
  });

  it('extends a lock with a new ttl', async () => {
    const lock = (await a.acquire('extended', { ttl: 1_000, renew: false })) as LockHandle;
    expect(await lock.extend(60_000)).toBe(true);
    expect((await b.holder('extended'))?.expiresInMs).toBeGreaterThan(1_000);
    await lock.release();
    expect(await lock.extend()).toBe(false);
  });
});

describe('LockService at shutdown', () => {
  let other: TestApp;
  let closing: TestApp;
  let locks: LockService;
  /** Two apps on one prefix: `closing` shuts down, `other` looks on. */
  beforeEach(async () => {
    const prefix = uniquePrefix();
    other = await createTestApp([], { prefix, worker: { enabled: false } });
    closing = await createTestApp([], { prefix, worker: { enabled: false } });
    locks = closing.app.get(LockService);
  });
  afterEach(async () => {
    await closing.close();
    await other.close();
  });

  it('hands back a lock whose acquire was answered while shutdown ran', async () => {
    // Sent before the shutdown starts; its answer can only arrive after it started.
    const acquiring = locks.acquire('answered-late').catch((e: unknown) => e);
    await locks.beforeApplicationShutdown();
    const outcome = await acquiring;
    expect(outcome).toBeInstanceOf(TaskmillError);
    expect((outcome as Error).message).toMatch(/LockService is stopped/);
    expect(await other.app.get(LockService).isHeld('answered-late')).toBe(false);
  });

  it('signals and frees the locks it holds, and stops waiting acquires', async () => {
    const held = (await locks.acquire('owned')) as LockHandle;
    await other.app.get(LockService).acquire('elsewhere');
    const waiting = locks.acquire('elsewhere', { wait: 60_000 }).catch((e: unknown) => e);
    await closing.close();
    expect(await aborted(held.signal)).toMatchObject({ why: 'shutdown' });
    expect(await other.app.get(LockService).isHeld('owned')).toBe(false);
    const stopped = await waiting;
    expect(stopped).toBeInstanceOf(TaskmillError);
    expect((stopped as Error).message).toMatch(/LockService is stopped/);
    await expect(locks.acquire('late')).rejects.toBeInstanceOf(TaskmillError);
  });
});
