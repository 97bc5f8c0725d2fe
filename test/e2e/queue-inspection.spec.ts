import { Injectable } from '@nestjs/common';
import { NonRetryableError, Task, TaskCancelledError, TaskStatus } from '../../lib';
import { failureOf } from '../support/failures';
import { Gate, running } from '../support/gate';
import { createTestApp, TestApp } from '../support/test-app';

const gate = new Gate();

@Injectable()
class Inspected {
  @Task({ name: 'inspected.work', queue: 'inspected', retries: 0 })
  async work(mode: 'ok' | 'fail' | 'hold'): Promise<string> {
    if (mode === 'fail') throw new NonRetryableError('told to fail');
    if (mode === 'hold') await gate.wait();
    return mode;
  }
}

const MINUTE = 60_000;

describe('queue.stats() and queue.list() with a worker', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([Inspected])));
  afterAll(async () => {
    gate.release();
    await t.close();
  });

  it('counts waiting, delayed, running, dead-lettered and recent outcomes as enqueued', async () => {
    const enqueue = (mode: string, options = {}) =>
      t.queue.enqueue('inspected.work', [mode], { queue: 'inspected', ...options });
    const ok = [await enqueue('ok'), await enqueue('ok')];
    await Promise.all(ok.map((h) => h.result()));
    const failed = await enqueue('fail');
    await failureOf(failed);
    const cancelled = await enqueue('ok', { delay: MINUTE });
    await cancelled.cancel();
    const held = await enqueue('hold');
    await running(held);
    // Paused, the worker leaves these where they are.
    await t.queue.pause('inspected');
    const waiting = [await enqueue('ok', { priority: 2 }), await enqueue('ok')];
    const delayed = await enqueue('ok', { delay: MINUTE });

    const stats = await t.queue.stats('inspected');
    expect(stats).toEqual({
      queue: 'inspected',
      waiting: 2,
      held: 0,
      delayed: 1,
      running: 1,
      deadLettered: 1,
      paused: true,
      recent: { succeeded: 2, failed: 1, cancelled: 1, since: expect.any(Number) },
    });
    // The window starts with the stream's oldest entry: the first task's SUBMITTED.
    const [submitted, started] = await ok[0].history();
    expect(stats.recent.since).toBeGreaterThanOrEqual(submitted.at);
    expect(stats.recent.since).toBeLessThanOrEqual(started.at);

    expect((await t.queue.list('inspected', 'waiting')).map((s) => s.id)).toEqual([
      waiting[1].id,
      waiting[0].id,
    ]);
    const [runningTask] = await t.queue.list('inspected', 'running');
    expect(runningTask).toMatchObject({
      id: held.id,
      task: 'inspected.work',
      status: TaskStatus.RUNNING,
      attempt: 1,
      leaseExpiresAt: expect.any(Number),
    });
    const [dead] = await t.queue.list('inspected', 'dead');
    expect(dead).toMatchObject({ id: failed.id, status: TaskStatus.FAILED, attempt: 1 });
    expect(dead.failedAt).toBeGreaterThanOrEqual(dead.enqueuedAt);
    const [due] = await t.queue.list('inspected', 'delayed');
    expect(due).toMatchObject({ id: delayed.id, status: TaskStatus.SUBMITTED, attempt: 0 });
    expect(due.dueAt).toBeGreaterThanOrEqual(due.enqueuedAt + MINUTE);

    gate.release();
    await expect(held.result()).resolves.toBe('hold');
    await t.queue.drain('inspected');
    await expect(waiting[0].result()).rejects.toBeInstanceOf(TaskCancelledError);
    const after = await t.queue.stats('inspected');
    expect(after).toMatchObject({ waiting: 0, delayed: 0, running: 0, deadLettered: 1 });
    expect(after.recent).toMatchObject({ succeeded: 3, failed: 1, cancelled: 4 });
  });
});

describe('queue.list(), queue.queues() and stats() of waiting work', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([], { worker: { enabled: false } })));
  afterAll(() => t.close());

  it('lists waiting tasks in claim order (lowest priority first, FIFO within), a page at a time', async () => {
    const order: [string, number][] = [
      ['p5-a', 5],
      ['p0-a', 0],
      ['p5-b', 5],
      ['m1-a', -1],
      ['p0-b', 0],
    ];
    for (const [id, priority] of order) {
      await t.queue.enqueue('listed.work', [id], { queue: 'listed', id, priority });
    }
    const ids = async (offset: number, limit: number) =>
      (await t.queue.list('listed', 'waiting', { offset, limit })).map((s) => s.id);

    expect(await ids(0, 100)).toEqual(['m1-a', 'p0-a', 'p0-b', 'p5-a', 'p5-b']);
    expect(await ids(1, 2)).toEqual(['p0-a', 'p0-b']);
    expect(await ids(2, 2)).toEqual(['p0-b', 'p5-a']);
    expect(await ids(4, 10)).toEqual(['p5-b']);
    expect(await ids(5, 10)).toEqual([]);
    const [first] = await t.queue.list('listed', 'waiting', { limit: 1 });
    expect(first).toEqual({
      id: 'm1-a',
      task: 'listed.work',
      queue: 'listed',
      status: TaskStatus.SUBMITTED,
      attempt: 0,
      priority: -1,
      enqueuedAt: expect.any(Number),
    });
  });

  it('lists delayed tasks earliest due first, a page at a time', async () => {
    const runAt = new Date(Date.now() + 3 * MINUTE);
    await t.queue.enqueue('later.work', [], { queue: 'later', id: 'in-30', delay: 30 * MINUTE });
    await t.queue.enqueue('later.work', [], { queue: 'later', id: 'in-10', delay: 10 * MINUTE });
    await t.queue.enqueue('later.work', [], { queue: 'later', id: 'at-3', runAt });
    const page = await t.queue.list('later', 'delayed');
    expect(page.map((s) => s.id)).toEqual(['at-3', 'in-10', 'in-30']);
    expect(page[0].dueAt).toBe(runAt.getTime());
    const second = await t.queue.list('later', 'delayed', { offset: 1, limit: 1 });
    expect(second.map((s) => s.id)).toEqual(['in-10']);
    expect(await t.queue.list('later', 'running')).toEqual([]);
    expect(await t.queue.list('later', 'dead')).toEqual([]);
  });

  it('lists every queue of the prefix with its counts, by name', async () => {
    // One call per queue: in the 'queue' layout each queue is a slot of its own.
    await t.queue.enqueueMany([
      { task: 'b.work', options: { queue: 'zz-beta' } },
      { task: 'b.work', options: { queue: 'zz-beta', delay: MINUTE } },
    ]);
    await t.queue.enqueue('a.work', [], { queue: 'zz-alpha' });
    await t.queue.pause('zz-alpha');
    const queues = await t.queue.queues();
    expect(queues.map((q) => q.queue)).toEqual([...queues.map((q) => q.queue)].sort());
    expect(queues.filter((q) => q.queue.startsWith('zz-'))).toEqual([
      {
        queue: 'zz-alpha',
        waiting: 1,
        held: 0,
        delayed: 0,
        running: 0,
        deadLettered: 0,
        paused: true,
      },
      {
        queue: 'zz-beta',
        waiting: 1,
        held: 0,
        delayed: 1,
        running: 0,
        deadLettered: 0,
        paused: false,
      },
    ]);
  });

  it('counts no recent outcome for a queue whose tasks never ran', async () => {
    await t.queue.enqueue('fresh.work', [], { queue: 'fresh' });
    const stats = await t.queue.stats('fresh');
    expect(stats).toMatchObject({ waiting: 1, delayed: 0, running: 0, deadLettered: 0 });
    expect(stats.recent).toEqual({
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      since: expect.any(Number),
    });
  });

  it('counts recent outcomes across many pages of the events stream', async () => {
    const ids = Array.from({ length: 1500 }, (_, i) => `many-${i}`);
    await t.queue.enqueueMany(
      ids.map((id) => ({ task: 'many.work', options: { queue: 'many', id } })),
    );
    const handles = ids.slice(0, 1200).map((id) => t.queue.handle(id, { queue: 'many' }));
    await Promise.all(handles.map((h) => h.cancel()));
    const stats = await t.queue.stats('many');
    expect(stats).toMatchObject({ waiting: 300 });
    expect(stats.recent).toMatchObject({ succeeded: 0, failed: 0, cancelled: 1200 });
  });
});
