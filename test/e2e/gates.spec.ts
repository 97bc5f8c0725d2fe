import { Injectable } from '@nestjs/common';
import {
  GateAcrossSlotsError,
  InvalidOptionsError,
  Task,
  taskContext,
  UnknownQueueError,
} from '../../lib';
import { Gate } from '../support/gate';
import { rawRedis, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

/** Who is inside a gated section right now, and the most that ever were at once, per key. */
class Occupancy {
  private readonly inside = new Map<string, number>();
  readonly peak = new Map<string, number>();
  done = 0;

  async visit(key: string, ms: number): Promise<void> {
    const now = (this.inside.get(key) ?? 0) + 1;
    this.inside.set(key, now);
    this.peak.set(key, Math.max(this.peak.get(key) ?? 0, now));
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.inside.set(key, (this.inside.get(key) ?? 1) - 1);
    this.done++;
  }
}

// Two apps in this process share one Occupancy: it sees both workers.
let occupancy = new Occupancy();
const held = new Gate();

@Injectable()
class Gated {
  @Task({ name: 'gated.report', queue: 'gated', lock: 'nightly-report' })
  async report(): Promise<void> {
    await occupancy.visit('report', 15);
  }

  @Task({
    name: 'gated.user',
    queue: 'gated',
    lock: (userId: string) => `user/${userId}`,
  })
  async user(userId: string): Promise<void> {
    await occupancy.visit(`user/${userId}`, 10);
  }

  @Task({ name: 'gated.api', queue: 'gated', concurrency: 3 })
  async api(): Promise<void> {
    await occupancy.visit('api', 20);
  }

  @Task({ name: 'gated.hold', queue: 'gated', lock: 'held' })
  async hold(): Promise<string> {
    await held.wait();
    return taskContext().id;
  }

  @Task({ name: 'gated.free', queue: 'gated' })
  async free(): Promise<string> {
    return 'free';
  }
}

// Task locks are enforced in the 'prefix' layout only (the 'queue' layout refuses them: see the
// last describe), so these apps pin it whatever TASKMILL_TEST_KEY_LAYOUT says.
describe('locks and concurrency limits on tasks', () => {
  const apps: TestApp[] = [];
  let prefix: string;
  beforeEach(async () => {
    occupancy = new Occupancy();
    held.reset();
    prefix = uniquePrefix();
    for (let i = 0; i < 2; i++) {
      apps.push(
        await createTestApp([Gated], {
          prefix,
          keyLayout: 'prefix',
          worker: { concurrency: 10 },
        }),
      );
    }
  });
  afterEach(async () => {
    held.release();
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('runs 20 tasks on one lock one at a time across two workers, and all of them', async () => {
    const handles = await apps[0].queue.enqueueMany(
      Array.from({ length: 20 }, () => ({ task: 'gated.report' })),
    );
    await Promise.all(handles.map((handle) => handle.result({ timeout: 20_000 })));
    expect(occupancy.done).toBe(20);
    expect(occupancy.peak.get('report')).toBe(1);
  });

  it('takes the lock name from the arguments: one task per user at a time', async () => {
    const users = ['ada', 'bob', 'ada', 'cyd', 'bob', 'ada', 'ada', 'bob'];
    const handles = await Promise.all(
      users.map((user) => apps[1].queue.enqueue('gated.user', [user])),
    );
    await Promise.all(handles.map((handle) => handle.result({ timeout: 20_000 })));
    expect(occupancy.done).toBe(users.length);
    for (const user of ['ada', 'bob', 'cyd']) expect(occupancy.peak.get(`user/${user}`)).toBe(1);
  });

  it('limits a task name to `concurrency` runs at once across all workers', async () => {
    const handles = await apps[0].queue.enqueueMany(
      Array.from({ length: 15 }, () => ({ task: 'gated.api' })),
    );
    await Promise.all(handles.map((handle) => handle.result({ timeout: 20_000 })));
    expect(occupancy.done).toBe(15);
    expect(occupancy.peak.get('api')).toBeLessThanOrEqual(3);
  });

  it('parks waiting tasks outside the worker slots: other work runs meanwhile', async () => {
    const first = await apps[0].queue.enqueue('gated.hold', []);
    const parked = await Promise.all(
      Array.from({ length: 30 }, () => apps[0].queue.enqueue('gated.hold', [])),
    );
    // 31 tasks want one lock; 20 slots in all: a free task still runs at once.
    await expect(
      (await apps[0].queue.enqueue('gated.free', [])).result({ timeout: 5000 }),
    ).resolves.toBe('free');
    // Claimed before the free task (FIFO), the 30 wait at the gate, which the slot's index of
    // gates with waiters names (read when a shard count changes: shard-holds-tasks).
    const redis = rawRedis();
    const index = `{${prefix}}:gate-waits`;
    try {
      expect(await redis.smembers(index)).toEqual(['lock:held']);
      held.release();
      await expect(first.result({ timeout: 5000 })).resolves.toBe(first.id);
      await Promise.all(parked.map((handle) => handle.result({ timeout: 20_000 })));
      // Cancelling a parked task takes it out of the gate's wait list.
      held.reset();
      const holder = await apps[0].queue.enqueue('gated.hold', []);
      const waiting = await apps[0].queue.enqueue('gated.hold', []);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await waiting.cancel()).toBe(true);
      held.release();
      await expect(holder.result({ timeout: 5000 })).resolves.toBe(holder.id);
      // Every wait list emptied: the index is gone too.
      expect(await redis.exists(index)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('refuses bad locks and limits with InvalidOptionsError', async () => {
    expect(() => {
      class Bad {
        @Task({ name: 'bad.lock', lock: 5 as never })
        run(): void {}
      }
      return Bad;
    }).toThrow(InvalidOptionsError);
    expect(() => {
      class Bad {
        @Task({ name: 'bad.limit', concurrency: 0 })
        run(): void {}
      }
      return Bad;
    }).toThrow(InvalidOptionsError);
    await expect(
      apps[0].queue.enqueue('gated.free', [], { lock: 'no{braces}' }),
    ).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(apps[0].queue.enqueue('gated.user', ['{x}'])).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
  });
});

describe("task gates in the 'queue' layout", () => {
  const apps: TestApp[] = [];
  beforeEach(async () => {
    occupancy = new Occupancy();
    held.reset();
    const prefix = uniquePrefix();
    for (let i = 0; i < 2; i++) {
      apps.push(
        await createTestApp([Gated], {
          prefix,
          keyLayout: 'queue',
          queues: { sharded: { shards: 2 } },
          worker: { concurrency: 10 },
        }),
      );
    }
  });
  afterEach(async () => {
    held.release();
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('limits a task name to `concurrency` runs at once in its queue across all workers', async () => {
    const handles = await apps[0].queue.enqueueMany(
      Array.from({ length: 15 }, () => ({ task: 'gated.api' })),
    );
    await Promise.all(handles.map((handle) => handle.result({ timeout: 20_000 })));
    expect(occupancy.done).toBe(15);
    expect(occupancy.peak.get('api')).toBeLessThanOrEqual(3);
  });

  it('refuses a task lock, and a limit on a sharded queue, with GateAcrossSlotsError', async () => {
    const refused = (promise: Promise<unknown>) =>
      expect(promise).rejects.toBeInstanceOf(GateAcrossSlotsError);
    await refused(apps[0].queue.enqueue('gated.report', []));
    await refused(apps[0].queue.enqueue('gated.free', [], { lock: 'by-enqueue' }));
    await refused(apps[0].queue.enqueue('gated.api', [], { queue: 'sharded' }));
    await expect(apps[0].queue.enqueue('gated.report', [])).rejects.toThrow(
      /LockService\.withLock/,
    );
    // Nothing was written: the queue never received a task.
    await expect(apps[0].queue.stats('gated')).rejects.toBeInstanceOf(UnknownQueueError);
  });
});
