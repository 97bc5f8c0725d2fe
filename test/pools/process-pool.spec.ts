import { existsSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TaskStatus } from '../../lib';
import { Hasher, Place, ProcessTasks, Whoami } from './fixtures/pool-tasks';
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
  until,
} from './pool-app';

const LEASE_MS = 1000;

/** Whether process `pid` is still there. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("mechanism: 'process'", () => {
  let t: PoolApp;
  beforeAll(async () => {
    t = await createPoolApp([ProcessTasks], {
      concurrency: 3,
      leaseMs: LEASE_MS,
      pool: poolOptions({ processes: 2, patienceMs: 300 }),
    });
  }, 120_000);
  afterAll(() => t?.close());

  it('runs the handler in a child process with its dependencies, metadata and progress', async () => {
    const handle = await t.queue.enqueue('process.whoami', ['abc'], { metadata: { n: 1 } });
    const progress: unknown[] = [];
    handle.status$.subscribe((update) => {
      if (update.progress !== undefined) progress.push(update.progress);
    });
    const result = await resultOf<Whoami>(handle);
    expect(result.pid).not.toBe(process.pid);
    expect(result).toMatchObject({ attempt: 1, metadata: { n: 1 } });
    expect(result.hash).toBe(t.app.get(Hasher).hash('abc'));
    expect(progress).toContainEqual({ hashing: 'abc' });
  });

  it('keeps the leases of handlers that block their process for several leaseMs', async () => {
    const spins = await Promise.all(
      [0, 1, 2].map(() => t.queue.enqueue('process.spin', [3.5 * LEASE_MS])),
    );
    const places = await Promise.all(spins.map((h) => resultOf<Place>(h, 60_000)));
    expect(places.every((p) => p.pid !== process.pid)).toBe(true);
    await expectLeasesKept(t, spins);
  }, 90_000);

  it('kills a handler that never yields at its timeout (SIGTERM, then SIGKILL), and runs the next tasks in fresh processes', async () => {
    const stuck = await timedOut(t, 'process.forever');
    // Until both members ran one: the other one is the stopped process's replacement.
    const places = await placesUntilBothMembers(t, 'process.spin', 'pid');
    expect(places.map((p) => p.pid)).not.toContain(stuck.pid);
    // Its SIGTERM listener never runs (the handler never yields): SIGKILL after patienceMs.
    await until(() => !alive(stuck.pid));
  }, 60_000);

  it("cancels a process run with SIGTERM: the handler's signal aborts before the process ends", async () => {
    const file = join(tmpdir(), `taskmill-pool-abort-${process.pid}-${Date.now()}`);
    const handle = await t.queue.enqueue('process.until-aborted', [file]);
    const { pid } = await progressOf<Place>(handle);
    await expect(handle.cancel()).resolves.toBe(true);
    await expect(handle.result({ timeout: 30_000 })).rejects.toMatchObject({
      name: 'TaskCancelledError',
    });
    await until(() => !alive(pid));
    expect(existsSync(file) && readFileSync(file, 'utf8')).toContain('SIGTERM');
  }, 60_000);

  it('fails the attempt of a process killed from outside with PoolMemberCrashError, and the retry succeeds', async () => {
    const handle = await t.queue.enqueue('process.hang-once', []);
    const { pid } = await progressOf<Place>(handle);
    process.kill(pid, 'SIGKILL');
    await expectCrashRetried(t, handle, 'killed by SIGKILL');
  }, 60_000);
});

describe('shutdown with pool runs in flight', () => {
  it('waits for the runs that finish in time, hands back the others, and ends the members', async () => {
    const t = await createPoolApp([ProcessTasks], {
      concurrency: 2,
      shutdownTimeoutMs: 3000,
      pool: poolOptions({ processes: 2, patienceMs: 300 }),
    });
    const hanging = await t.queue.enqueue('process.hang-once', []);
    const hangingIn = await progressOf<Place>(hanging);
    const finishing = await t.queue.enqueue('process.spin', [1000]);
    await until(async () => (await finishing.status()).status === TaskStatus.RUNNING);
    await t.close();

    const types = (id: string) =>
      t.events.filter((e) => 'task' in e && e.task.id === id).map((e) => e.type);
    expect(types(finishing.id)).toEqual(['task.started', 'task.succeeded']);
    expect(types(hanging.id)).toEqual(['task.started', 'task.released']);
    expect(alive(hangingIn.pid)).toBe(false);

    const observer = await createPoolApp([], { enabled: false }, t.prefix);
    try {
      const status = await observer.queue.handle(hanging.id).status();
      expect(status.status).toBe(TaskStatus.SUBMITTED);
      const result = (await observer.queue.handle(finishing.id).result({ timeout: 5000 })) as Place;
      expect(alive(result.pid)).toBe(false);
    } finally {
      await observer.close();
    }
  }, 120_000);
});
