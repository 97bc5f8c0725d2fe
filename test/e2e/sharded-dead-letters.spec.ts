import { Injectable } from '@nestjs/common';
import { NonRetryableError, Task, TaskHandle } from '../../lib';
import { TaskRouter } from '../../lib/broker/task-router';
import { RecordingLogger } from '../support/recording-logger';
import { createTestApp, TestApp } from '../support/test-app';

const behaviour = { fail: true };

@Injectable()
class Brittle {
  @Task({ name: 'brittle.work', queue: 'brittle', retries: 0 })
  work(): string {
    if (behaviour.fail) throw new NonRetryableError('told to fail');
    return 'done';
  }
}

/** More than the 1 000 that requeueDead() and purgeDead() without ids take at once. */
const TOTAL = 1200;

describe("dead letters of a queue with 3 shards (keyLayout 'queue')", () => {
  let t: TestApp;
  let router: TaskRouter;
  beforeAll(async () => {
    // The worker's error line per failed task goes to a logger that keeps it to itself.
    t = await createTestApp(
      [Brittle],
      { keyLayout: 'queue', queues: { brittle: { shards: 3 } } },
      new RecordingLogger(),
    );
    router = t.app.get(TaskRouter);
  });
  afterAll(() => t.close());

  const shardOf = (id: string) =>
    router.slotsOf('brittle').findIndex((slot) => slot.base === router.slotFor('brittle', id).base);

  async function settled(handles: TaskHandle[]): Promise<void> {
    for await (const settlement of t.queue.results(handles, { timeout: 60_000 })) {
      void settlement;
    }
  }

  it('lists the failures of every shard newest first, and purges and requeues 1 000 of the oldest in all', async () => {
    // One enqueue per task: generated ids take the shards in turn.
    const handles = await Promise.all(
      Array.from({ length: TOTAL }, () => t.queue.enqueue('brittle.work', [])),
    );
    expect(new Set(handles.map((h) => shardOf(h.id))).size).toBe(3);
    await settled(handles);
    expect(await t.queue.stats('brittle')).toMatchObject({ deadLettered: TOTAL });

    const listed = [
      ...(await t.queue.deadLetters('brittle', { limit: 1000 })),
      ...(await t.queue.deadLetters('brittle', { offset: 1000, limit: 1000 })),
    ];
    expect(listed.map((d) => d.id).sort()).toEqual(handles.map((h) => h.id).sort());
    const times = listed.map((d) => d.failedAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const [newest] = await t.queue.deadLetters('brittle', { limit: 1 });
    expect(newest).toEqual(listed[0]);

    // The 1 000 oldest of the whole queue go; the newest 200 stay.
    await expect(t.queue.purgeDead('brittle')).resolves.toBe(1000);
    const left = await t.queue.deadLetters('brittle', { limit: 1000 });
    expect(left).toHaveLength(TOTAL - 1000);
    const boundary = listed[TOTAL - 1000 - 1].failedAt;
    expect(left.every((d) => d.failedAt >= boundary)).toBe(true);

    behaviour.fail = false;
    const requeued = await t.queue.requeueDead('brittle');
    expect(requeued.sort()).toEqual(left.map((d) => d.id).sort());
    await settled(requeued.map((id) => t.queue.handle(id)));
    await expect(t.queue.handle(requeued[0]).result()).resolves.toBe('done');
    expect(await t.queue.deadLetters('brittle')).toEqual([]);
  });
});
