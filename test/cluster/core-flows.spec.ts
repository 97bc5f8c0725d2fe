import { Injectable } from '@nestjs/common';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { MessageAlreadyExistsError, Task, TaskStatus, taskContext } from '../../lib';
import { KeyBuilder } from '../../lib/broker/keys';
import { TaskRouter } from '../../lib/broker/task-router';
import { failureOf } from '../support/failures';
import { Gate, running } from '../support/gate';
import { collect } from '../support/observables';
import { clusterConnection } from '../support/redis-cluster';
import { uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const held = new Gate();
const counting = new Gate();
const behaviour = { fail: true };

@Injectable()
class ClusterTasks {
  @Task('cluster.add')
  async add(a: number, b: number): Promise<number> {
    return a + b;
  }

  @Task({ name: 'cluster.flaky', retries: 2, backoff: { type: 'exponential', delay: 50 } })
  async flaky(): Promise<number> {
    const { attempt } = taskContext();
    if (attempt < 3) throw new Error(`attempt ${attempt} fails`);
    return attempt;
  }

  @Task('cluster.held')
  async hold(): Promise<string> {
    const { signal } = taskContext();
    await Promise.race([
      held.wait(),
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    ]);
    return 'released';
  }

  @Task({ name: 'cluster.double', queue: 'parked' })
  async double(n: number): Promise<number> {
    return 2 * n;
  }

  @Task({ name: 'cluster.count', queue: 'once' })
  async count(to: number, wait = false): Promise<number> {
    if (wait) await counting.wait();
    for (let done = 1; done <= to; done++) await taskContext().progress({ done, to });
    return to;
  }

  @Task({ name: 'cluster.fragile', queue: 'fragile', retries: 0 })
  async fragile(label: string): Promise<string> {
    if (behaviour.fail) throw new Error(`cannot do ${label}`);
    return `did ${label}`;
  }
}

/**
 * The core of taskmill on a Redis Cluster client, in both key layouts: 'queue' (the default on
 * a cluster: each queue, each shard, a slot of its own, so a task's keys and its queue's sit on
 * whichever node owns that slot) and 'prefix' (the whole prefix one slot, on one node). The
 * queue 'once' has two shards, which split it over two slots in the 'queue' layout and split
 * nothing in the 'prefix' layout.
 */
describe.each(['queue', 'prefix'] as const)("on a Redis Cluster in the '%s' layout", (layout) => {
  let t: TestApp;
  beforeAll(
    async () =>
      (t = await createTestApp([ClusterTasks], {
        connection: clusterConnection(),
        // 'queue' is the default on a cluster: left unset, so that the default is what runs.
        ...(layout === 'prefix' && { keyLayout: layout }),
        queues: { once: { shards: 2 } },
      })),
  );
  afterAll(() => t.close());

  it('resolves the layout and the shards it runs with', () => {
    expect(t.app.get(KeyBuilder).layout).toBe(layout);
    expect(t.app.get(TaskRouter).shards('once')).toBe(layout === 'queue' ? 2 : 1);
  });

  it('warns about a task name no live worker of its queue hosts', async () => {
    const options = {
      connection: clusterConnection(),
      prefix: uniquePrefix(),
      ...(layout === 'prefix' && { keyLayout: layout }),
    };
    const worker = await createTestApp([ClusterTasks], options);
    const producer = await createTestApp([], { ...options, worker: { enabled: false } });
    try {
      const warned = firstValueFrom(
        producer.worker.events$.pipe(filter((event) => event.type === 'task.unhosted')),
      );
      await producer.queue.enqueue('cluster.nobody', [], { queue: 'fragile' });
      expect(await warned).toEqual({
        type: 'task.unhosted',
        queue: 'fragile',
        name: 'cluster.nobody',
      });
    } finally {
      await producer.close();
      await worker.close();
    }
  });

  it('runs an enqueued task and resolves with its return value', async () => {
    const handle = await t.queue.enqueue('cluster.add', [2, 3]);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe(5);
    expect((await handle.status()).status).toBe(TaskStatus.SUCCEEDED);
  });

  it('retries a failing task with backoff until it succeeds', async () => {
    const handle = await t.queue.enqueue('cluster.flaky');
    await expect(handle.result({ timeout: 5000 })).resolves.toBe(3);
    const statuses = (await handle.history()).map((entry) => entry.status);
    expect(statuses.filter((status) => status === TaskStatus.RETRYING)).toHaveLength(2);
  });

  it('runs a delayed task once it is due, and counts it delayed before', async () => {
    const handle = await t.queue.enqueue('cluster.add', [1, 1], { delay: 300 });
    await expect(t.queue.stats('default')).resolves.toMatchObject({ delayed: 1 });
    await expect(handle.result({ timeout: 5000 })).resolves.toBe(2);
  });

  it('follows a task through status$ and events$ to its end', async () => {
    const events = firstValueFrom(
      t.queue.events$().pipe(
        filter((update) => update.status === TaskStatus.SUCCEEDED),
        take(1),
        toArray(),
      ),
    );
    const handle = await t.queue.enqueue('cluster.add', [20, 22]);
    const updates = await collect(handle.status$);
    expect(updates.at(-1)).toMatchObject({ status: TaskStatus.SUCCEEDED, attempt: 1 });
    await expect(handle.result()).resolves.toBe(42);
    await expect(events).resolves.toEqual([expect.objectContaining({ id: handle.id })]);
  });

  it('publishes progress as RUNNING updates carrying the value', async () => {
    counting.reset();
    const handle = await t.queue.enqueue('cluster.count', [2, true]);
    const updates = collect(handle.status$);
    // Once status$ follows the running task, the handler may report.
    await running(handle);
    counting.release();
    const seen = await updates;
    const progress = seen.filter((u) => u.progress !== undefined).map((u) => u.progress);
    expect(progress).toEqual([
      { done: 1, to: 2 },
      { done: 2, to: 2 },
    ]);
    expect(seen.at(-1)?.status).toBe(TaskStatus.SUCCEEDED);
  });

  it('keeps a unique task unique: a duplicate is refused while the first waits', async () => {
    const first = await t.queue.enqueue('cluster.count', [1], { unique: true, delay: 300 });
    await expect(t.queue.enqueue('cluster.count', [1], { unique: true })).rejects.toBeInstanceOf(
      MessageAlreadyExistsError,
    );
    await expect(first.result({ timeout: 5000 })).resolves.toBe(1);
    // Finished, its id is free again: the same id, which a digest keeps on the same shard.
    const again = await t.queue.enqueue('cluster.count', [1], { unique: true });
    expect(again.id).toBe(first.id);
    await expect(again.result({ timeout: 5000 })).resolves.toBe(1);
  });

  it('cancels a running task: the cancel reaches its worker over pub/sub', async () => {
    held.reset();
    const handle = await t.queue.enqueue('cluster.held');
    await running(handle);
    await expect(handle.cancel()).resolves.toBe(true);
    const final = await collect(handle.status$);
    expect(final.at(-1)?.status).toBe(TaskStatus.CANCELLED);
  });

  it('pauses and resumes a queue, with its counts', async () => {
    // A queue is known from its first task on.
    await (await t.queue.enqueue('cluster.double', [0])).result({ timeout: 5000 });
    await expect(t.queue.pause('parked')).resolves.toBe(true);
    const handles = await Promise.all([1, 2, 3].map((n) => t.queue.enqueue('cluster.double', [n])));
    await expect(t.queue.stats('parked')).resolves.toMatchObject({ waiting: 3, paused: true });
    await expect(t.queue.resume('parked')).resolves.toBe(true);
    await expect(Promise.all(handles.map((h) => h.result({ timeout: 5000 })))).resolves.toEqual([
      2, 4, 6,
    ]);
    await expect(t.queue.stats('parked')).resolves.toMatchObject({ waiting: 0, running: 0 });
  });

  it('dead-letters a failed task and requeues it to run again', async () => {
    behaviour.fail = true;
    const handle = await t.queue.enqueue('cluster.fragile', ['x']);
    await failureOf(handle);
    expect((await t.queue.deadLetters('fragile')).map((dead) => dead.id)).toEqual([handle.id]);
    behaviour.fail = false;
    await expect(t.queue.requeueDead('fragile', [handle.id])).resolves.toEqual([handle.id]);
    await expect(t.queue.handle(handle.id).result({ timeout: 5000 })).resolves.toBe('did x');
    await expect(t.queue.deadLetters('fragile')).resolves.toEqual([]);
  });
});
