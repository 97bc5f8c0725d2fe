import { isMainThread } from 'worker_threads';
import { TaskStatus } from '../../lib';
import { failureOf } from '../support/failures';
import { Hasher, LoopTasks, Place, ThreadTasks, Whoami } from './fixtures/pool-tasks';
import {
  createPoolApp,
  expectCrashRetried,
  expectLeasesKept,
  placesUntilBothMembers,
  PoolApp,
  poolOptions,
  progressOf,
  resultOf,
  timedOut,
} from './pool-app';

const LEASE_MS = 1000;

describe("mechanism: 'thread'", () => {
  let t: PoolApp;
  beforeAll(async () => {
    t = await createPoolApp([ThreadTasks, LoopTasks], {
      concurrency: 6,
      leaseMs: LEASE_MS,
      pool: poolOptions({ threads: 2, resourceLimits: { maxOldGenerationSizeMb: 48 } }),
    });
  }, 120_000);
  afterAll(() => t?.close());

  it('runs the handler in a worker thread with its dependencies, metadata, attempt and progress', async () => {
    const handle = await t.queue.enqueue('thread.whoami', ['abc'], { metadata: { from: 'test' } });
    const seen = t.queue.handle(handle.id).status$;
    const progress: unknown[] = [];
    seen.subscribe((update) => update.progress !== undefined && progress.push(update.progress));
    const result = await resultOf<Whoami>(handle);
    expect(isMainThread).toBe(true);
    expect(result).toMatchObject({ pid: process.pid, mainThread: false, attempt: 1 });
    expect(result.metadata).toEqual({ from: 'test' });
    // The same provider, with the same injected salt, as in this (main) thread.
    expect(result.hash).toBe(t.app.get(Hasher).hash('abc'));
    expect(progress).toContainEqual({ hashing: 'abc' });
  });

  it('keeps the leases of handlers that block their thread for several leaseMs, and runs other tasks meanwhile', async () => {
    const spins = await Promise.all(
      [0, 1, 2, 3].map(() => t.queue.enqueue('thread.spin', [3.5 * LEASE_MS])),
    );
    // On the event loop, in a fifth slot while both threads are busy: done while spins still run.
    const quick = await t.queue.enqueue('loop.quick', ['meanwhile']);
    await expect(quick.result({ timeout: 30_000 })).resolves.toBe('meanwhile');
    const statuses = await Promise.all(spins.map((handle) => handle.status()));
    expect(statuses.map((s) => s.status)).toContain(TaskStatus.RUNNING);

    const places = await Promise.all(spins.map((h) => resultOf<Place>(h, 60_000)));
    expect(places.every((p) => !p.mainThread && p.pid === process.pid)).toBe(true);
    await expectLeasesKept(t, spins);
  }, 90_000);

  it('terminates a handler that never yields at its timeout (TaskTimeoutError), and runs the next tasks on a fresh thread', async () => {
    const stuck = await timedOut(t, 'thread.forever');
    // Until both members ran one: the other one is the terminated thread's replacement.
    const places = await placesUntilBothMembers(t, 'thread.spin', 'threadId');
    const threads = places.map((p) => p.threadId);
    expect(threads).not.toContain(stuck.threadId);
    expect(Math.max(...threads)).toBeGreaterThan(stuck.threadId);
  }, 60_000);

  it('cancels a running pool handler for real: CANCELLED, and its thread is replaced', async () => {
    const handle = await t.queue.enqueue('thread.forever', []);
    const stuck = await progressOf<Place>(handle);
    await expect(handle.cancel()).resolves.toBe(true);
    await expect(handle.result({ timeout: 30_000 })).rejects.toMatchObject({
      name: 'TaskCancelledError',
    });
    const places = await placesUntilBothMembers(t, 'thread.spin', 'threadId');
    expect(places.map((p) => p.threadId)).not.toContain(stuck.threadId);
  }, 60_000);

  it('fails the attempt of a thread that exits under its handler with PoolMemberCrashError, and the retry succeeds', async () => {
    const handle = await t.queue.enqueue('thread.exit-once', []);
    await expectCrashRetried(t, handle, 'exited with code 3');
  }, 60_000);

  it('fails the attempt of a thread that runs out of memory (resourceLimits) with PoolMemberCrashError, and the retry succeeds', async () => {
    const handle = await t.queue.enqueue('thread.oom-once', []);
    await expectCrashRetried(t, handle, 'ran out of memory');
  }, 60_000);

  it("applies the method's Nest interceptor in the thread, around the handler", async () => {
    const handle = await t.queue.enqueue('thread.intercepted', ['abc']);
    const wrapped = await resultOf<Place & { result: string; kind: string }>(handle);
    expect(wrapped).toMatchObject({ result: 'ABC', kind: 'taskmill', mainThread: false });
  });

  it('carries a NonRetryableError out of the thread: the task fails at once', async () => {
    const handle = await t.queue.enqueue('thread.refuse', ['bad input']);
    const error = await failureOf(handle, 30_000);
    expect(error.remoteName).toBe('NonRetryableError');
    expect(error.remoteMessage).toBe('bad input');
    expect((await handle.status()).attempt).toBe(1);
  });
});
