import { Injectable } from '@nestjs/common';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { Task, TaskStatus, taskContext } from '../../lib';
import { failureOf } from '../support/failures';
import { Gate, running } from '../support/gate';
import { collect } from '../support/observables';
import { clusterConnection } from '../support/redis-cluster';
import { uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const held = new Gate();
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

  @Task({ name: 'cluster.fragile', queue: 'fragile', retries: 0 })
  async fragile(label: string): Promise<string> {
    if (behaviour.fail) throw new Error(`cannot do ${label}`);
    return `did ${label}`;
  }
}

/** The core of taskmill on a Redis Cluster client: today a prefix's keys share one slot. */
describe('on a Redis Cluster', () => {
  let t: TestApp;
  beforeAll(
    async () => (t = await createTestApp([ClusterTasks], { connection: clusterConnection() })),
  );
  afterAll(() => t.close());

  it.each(['prefix', 'queue'] as const)(
    'warns about a task name no live worker of its queue hosts (%s key layout)',
    async (keyLayout) => {
      const options = { connection: clusterConnection(), prefix: uniquePrefix(), keyLayout };
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
    },
  );

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
