import { TaskCancelledError, TaskNotFoundError, TaskStatus } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { MAX_PRIORITY } from '../../lib/options/task-options.validator';
import { sleep } from '../support/broker';
import { PriorityQueueFixture } from '../support/priority-queue';
import { queueState, taskKeyOf } from '../support/queue-state';

const MIN = -MAX_PRIORITY;

describe('priority management', () => {
  const f = new PriorityQueueFixture();
  beforeAll(() => f.start());
  afterAll(() => f.stop());

  const state = (queue: string) => queueState(f.redis, f.t, queue);

  /** Subscribes to a task's status$ and waits for its first update; `done` gets them all. */
  async function following(id: string): Promise<{ done: Promise<TaskStatus[]> }> {
    const seen: TaskStatus[] = [];
    let firstSeen!: () => void;
    const first = new Promise<void>((resolve) => (firstSeen = resolve));
    const done = new Promise<TaskStatus[]>((resolve) =>
      f.t.queue.handle(id, { queue: f.queueOf(id) }).status$.subscribe({
        next: (update) => {
          seen.push(update.status);
          firstSeen();
        },
        complete: () => resolve(seen),
      }),
    );
    await first;
    return { done };
  }

  describe('reprioritize', () => {
    it('moves a ready task to the tail of its new priority, behind the tasks already there', async () => {
      const q = f.newQueue();
      await f.add(q, 'a', 0);
      await f.add(q, 'b', 0);
      await f.add(q, 'c', 5);
      const d = await f.add(q, 'd', 5);
      const a = `${q}.a`;
      await expect(f.t.queue.reprioritize(d, 0, { queue: q })).resolves.toBe(true);
      await expect(f.t.queue.reprioritize(a, 5, { queue: q })).resolves.toBe(true);
      expect((await state(q)).stored).toMatchObject({ [a]: '5', [d]: '0' });
      expect(await f.claimAll(q)).toEqual(['b', 'd', 'c', 'a']);
    });

    it('unregisters the priority it leaves empty and registers the new one', async () => {
      const q = f.newQueue();
      await f.add(q, 'other', 0);
      const only = await f.add(q, 'only', 7);
      await f.t.queue.reprioritize(only, -3, { queue: q });
      expect(await state(q)).toMatchObject({
        priorities: ['-3', '0'],
        ready: { '-3': [only], '0': [`${q}.other`] },
      });
      expect(await f.claimAll(q)).toEqual(['only', 'other']);
    });

    it('keeps the place of a task given the priority it already has', async () => {
      const q = f.newQueue();
      const a = await f.add(q, 'a', 1);
      await f.add(q, 'b', 1);
      await expect(f.t.queue.reprioritize(a, 1, { queue: q })).resolves.toBe(true);
      expect(await f.claimAll(q)).toEqual(['a', 'b']);
    });

    it('changes the stored priority of a delayed task, which joins the new list when due', async () => {
      const q = f.newQueue();
      const late = await f.add(q, 'late', 9, { delay: 150 });
      await f.add(q, 'first', 0);
      await f.add(q, 'second', 0);
      await expect(f.t.queue.reprioritize(late, -1, { queue: q })).resolves.toBe(true);
      expect(await state(q)).toMatchObject({ delayed: [late], stored: { [late]: '-1' } });
      expect(await f.peekLabels(q)).toEqual(['first', 'second']);
      await sleep(300); // due now: the next claim promotes it to priority -1
      expect(await f.claimAll(q)).toEqual(['late', 'first', 'second']);
    });

    it('resolves false for a running or finished task and changes nothing', async () => {
      const q = f.newQueue();
      const running = await f.add(q, 'running', 2);
      await f.claimAll(q);
      const cancelled = await f.add(q, 'cancelled', 2);
      await f.t.queue.handle(cancelled, { queue: q }).cancel();
      await expect(f.t.queue.reprioritize(running, 0, { queue: q })).resolves.toBe(false);
      await expect(f.t.queue.reprioritize(cancelled, 0, { queue: q })).resolves.toBe(false);
      const stored = await Promise.all(
        [running, cancelled].map((id) => f.redis.hget(taskKeyOf(f.t, q, id), 'p')),
      );
      expect(stored).toEqual(['2', '2']);
      expect((await state(q)).ready).toEqual({});
    });

    it('rejects an unknown id with TaskNotFoundError', async () => {
      await expect(
        f.t.queue.reprioritize('no-such-task', 1, { queue: 'q1' }),
      ).rejects.toBeInstanceOf(TaskNotFoundError);
    });
  });

  describe('promoteAll', () => {
    it('lowers every ready priority by `by`, keeping the claim order, ahead of later arrivals', async () => {
      const q = f.newQueue();
      await f.add(q, 'a', 0);
      await f.add(q, 'b', 0);
      const c = await f.add(q, 'c', 3);
      const d = await f.add(q, 'd', 5);
      await expect(f.t.queue.promoteAll(q, 2)).resolves.toBe(4);
      const after = await state(q);
      expect(after.priorities).toEqual(['-2', '1', '3']);
      expect(after.stored).toEqual({ [`${q}.a`]: '-2', [`${q}.b`]: '-2', [c]: '1', [d]: '3' });
      // Enqueued after the promotion at the old priorities: behind the promoted tasks.
      await f.add(q, 'e', 1);
      await f.add(q, 'f', 3);
      expect(await f.claimAll(q)).toEqual(['a', 'b', 'c', 'e', 'd', 'f']);
    });

    it('moves adjacent priorities without merging them (each list moves into a freed place)', async () => {
      const q = f.newQueue();
      for (const [label, priority] of [
        ['p0', 0],
        ['p1', 1],
        ['p2', 2],
        ['p1b', 1],
      ] as const) {
        await f.add(q, label, priority);
      }
      await f.t.queue.promoteAll(q, 1);
      expect(await state(q)).toMatchObject({
        priorities: ['-1', '0', '1'],
        ready: { '-1': [`${q}.p0`], '0': [`${q}.p1`, `${q}.p1b`], '1': [`${q}.p2`] },
      });
    });

    it('clamps at the lowest priority, merging lists there in their claim order', async () => {
      const q = f.newQueue();
      await f.add(q, 'm3', MIN + 3);
      await f.add(q, 'm0', MIN);
      await f.add(q, 'm1', MIN + 1);
      await f.add(q, 'm3b', MIN + 3);
      await f.add(q, 'm9', MIN + 9);
      await expect(f.t.queue.promoteAll(q, 5)).resolves.toBe(4); // m0 stays where it is
      const after = await state(q);
      expect(after.priorities).toEqual([String(MIN), String(MIN + 4)]);
      expect(Object.keys(after.ready).sort()).toEqual([String(MIN), String(MIN + 4)]);
      expect(after.stored[`${q}.m3b`]).toBe(String(MIN));
      expect(after.stored[`${q}.m9`]).toBe(String(MIN + 4));
      expect(await f.claimAll(q)).toEqual(['m0', 'm1', 'm3', 'm3b', 'm9']);
    });

    it('leaves delayed tasks and other queues alone', async () => {
      const q = f.newQueue();
      const other = f.newQueue();
      const later = await f.add(q, 'later', 4, { delay: 60_000 });
      await f.add(q, 'now', 4);
      const elsewhere = await f.add(other, 'elsewhere', 4);
      await f.t.queue.promoteAll(q, 1);
      expect((await state(q)).stored[later]).toBe('4');
      expect((await state(other)).stored[elsewhere]).toBe('4');
    });

    it('leaves every task where the integrity scanner looks for it', async () => {
      const q = f.newQueue();
      for (let i = 0; i < 30; i++) await f.add(q, `t${i}`, i % 4);
      await f.t.queue.promoteAll(q, 3);
      const broker = f.t.app.get(Broker);
      const repaired: string[] = [];
      for (;;) {
        const page = await broker.scanIntegrity('test', 10_000, 1000);
        if (!page) throw new Error('another scanner holds the turn');
        repaired.push(...page.failed);
        if (page.cursor === '0') break;
      }
      expect(repaired).toEqual([]);
      expect(await f.peekLabels(q)).toHaveLength(30);
    });

    it('resolves 0 for a queue with no ready task', async () => {
      const q = f.newQueue();
      await f.add(q, 'later', 0, { delay: 60_000 });
      await expect(f.t.queue.promoteAll(q, 1)).resolves.toBe(0);
    });
  });

  describe('removeByPriority', () => {
    async function fill(q: string): Promise<void> {
      const priorities = { a: -5, b: -1, c: 0, d: 0, e: 3, f: 8, g: 3 };
      for (const [label, priority] of Object.entries(priorities)) await f.add(q, label, priority);
    }

    it('cancels the ready tasks strictly below the threshold; the rest keep their order', async () => {
      const q = f.newQueue();
      await fill(q);
      const watched = await following(`${q}.a`);
      await expect(f.t.queue.removeByPriority(q, { below: 0 })).resolves.toBe(2);
      for (const label of ['a', 'b']) {
        const handle = f.t.queue.handle(`${q}.${label}`, { queue: q });
        expect((await handle.status()).status).toBe(TaskStatus.CANCELLED);
        await expect(handle.result()).rejects.toBeInstanceOf(TaskCancelledError);
        expect(await f.redis.pttl(taskKeyOf(f.t, q, handle.id))).toBeGreaterThan(0);
      }
      expect(await watched.done).toEqual([TaskStatus.SUBMITTED, TaskStatus.CANCELLED]);
      expect((await state(q)).priorities).toEqual(['0', '3', '8']);
      expect(await f.claimAll(q)).toEqual(['c', 'd', 'e', 'g', 'f']);
    });

    it('cancels those strictly above, or outside both bounds', async () => {
      const q = f.newQueue();
      await fill(q);
      await expect(f.t.queue.removeByPriority(q, { above: 3 })).resolves.toBe(1);
      expect(await f.peekLabels(q)).toEqual(['a', 'b', 'c', 'd', 'e', 'g']);
      await expect(f.t.queue.removeByPriority(q, { below: -1, above: 0 })).resolves.toBe(3);
      expect(await f.claimAll(q)).toEqual(['b', 'c', 'd']);
    });

    it('leaves delayed tasks alone', async () => {
      const q = f.newQueue();
      const later = await f.add(q, 'later', 9, { delay: 60_000 });
      await f.add(q, 'now', 9);
      await expect(f.t.queue.removeByPriority(q, { above: 0 })).resolves.toBe(1);
      expect((await f.t.queue.handle(later, { queue: q }).status()).status).toBe(
        TaskStatus.SUBMITTED,
      );
    });

    it('removes more tasks than one script call takes, in several calls', async () => {
      const q = f.newQueue();
      await f.t.queue.enqueueMany(
        Array.from({ length: 2500 }, () => ({ task: 'x', options: { queue: q, priority: 9 } })),
      );
      await f.add(q, 'kept', 0);
      await expect(f.t.queue.removeByPriority(q, { above: 0 })).resolves.toBe(2500);
      expect(await state(q)).toMatchObject({ priorities: ['0'], ready: { '0': [`${q}.kept`] } });
    });
  });

  describe('peek', () => {
    it('lists the next ready tasks in claim order, without claiming them', async () => {
      const q = f.newQueue();
      await f.add(q, 'low', 7);
      await f.add(q, 'high1', -2);
      await f.add(q, 'mid', 0);
      await f.add(q, 'high2', -2);
      await f.add(q, 'later', -9, { delay: 60_000 });
      const before = await state(q);
      const next = await f.t.queue.peek(q, 3);
      expect(next.map((task) => f.label(task.id))).toEqual(['high1', 'high2', 'mid']);
      expect(next[0]).toMatchObject({
        id: `${q}.high1`,
        task: 'x',
        queue: q,
        priority: -2,
        status: TaskStatus.SUBMITTED,
        attempt: 0,
      });
      expect(next[0].enqueuedAt).toBeGreaterThan(0);
      expect(await f.peekLabels(q)).toEqual(['high1', 'high2', 'mid', 'low']);
      expect(await state(q)).toEqual(before);
      expect(await f.claimAll(q)).toEqual(['high1', 'high2', 'mid', 'low']);
    });

    it('shows 10 tasks by default', async () => {
      const q = f.newQueue();
      for (let i = 0; i < 12; i++) await f.add(q, `t${i}`, 0);
      expect(await f.t.queue.peek(q)).toHaveLength(10);
    });
  });
});
