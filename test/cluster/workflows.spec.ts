import { Injectable } from '@nestjs/common';
import { NonRetryableError, Task, TaskStatus, taskContext } from '../../lib';
import { TaskRouter } from '../../lib/broker/task-router';
import { failureOf } from '../support/failures';
import { Gate, running } from '../support/gate';
import { clusterConnection } from '../support/redis-cluster';
import { createTestApp, TestApp } from '../support/test-app';

const gate = new Gate();

@Injectable()
class ClusterFlows {
  @Task({ name: 'flow.start', queue: 'flow-a' })
  async start(n: number): Promise<number> {
    return n;
  }

  @Task({ name: 'flow.hold', queue: 'flow-a' })
  async hold(): Promise<string> {
    await gate.wait();
    return 'held';
  }

  @Task({ name: 'flow.double', queue: 'flow-b' })
  async double(n?: number): Promise<number> {
    return 2 * (n ?? (taskContext().previous as number));
  }

  @Task({ name: 'flow.fail', queue: 'flow-b' })
  async fail(): Promise<never> {
    throw new NonRetryableError('flow-b broke');
  }

  @Task({ name: 'flow.sum', queue: 'flow-c' })
  async sum(): Promise<number> {
    return (taskContext().previous as number[]).reduce((a, b) => a + b, 0);
  }

  @Task({ name: 'flow.parent', queue: 'flow-c' })
  async parent(): Promise<number[]> {
    const { enqueueChild, waitFor } = taskContext();
    const children = await Promise.all([
      enqueueChild('flow.start', [1]),
      enqueueChild('flow.double', [5]),
    ]);
    return (await waitFor(children, { timeout: 10_000 })) as number[];
  }
}

/**
 * Workflows whose tasks are in queues of different hash slots, on a real Redis Cluster in the
 * 'queue' layout: a script touching two slots would fail there with CROSSSLOT.
 */
describe("workflows across slots on a Redis Cluster ('queue' layout)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp([ClusterFlows], {
      connection: clusterConnection(),
      keyLayout: 'queue',
    });
  });
  afterAll(() => t.close());

  it('spreads the three queues over different slots', () => {
    const router = t.app.get(TaskRouter);
    const bases = ['flow-a', 'flow-b', 'flow-c'].map((queue) => router.slotsOf(queue)[0].base);
    expect(new Set(bases).size).toBe(3);
  });

  it('runs a chain whose steps are in three queues', async () => {
    const chain = await t.queue.chain<number>([
      { task: 'flow.start', args: [3] },
      { task: 'flow.double' },
      { task: 'flow.double' },
    ]);
    await expect(chain.result({ timeout: 10_000 })).resolves.toBe(12);
    const again = await t.queue.findChain<number>(chain.id);
    expect(again.steps.map((step) => step.id)).toEqual(chain.steps.map((step) => step.id));
  });

  it('stops a chain across slots when a step fails, and cancels one across slots', async () => {
    const stopped = await t.queue.chain([{ task: 'flow.fail' }, { task: 'flow.sum' }]);
    expect((await failureOf(stopped.steps[1], 10_000)).remoteName).toBe('ChainStoppedError');
    const chain = await t.queue.chain([
      { task: 'flow.hold' },
      { task: 'flow.start', args: [1] },
      { task: 'flow.double' },
    ]);
    await running(chain.steps[0]);
    expect(await chain.steps[1].cancel()).toBe(true);
    expect((await chain.steps[2].status()).status).toBe(TaskStatus.CANCELLED);
    gate.release();
  });

  it('joins a chord whose parts and callback are in different queues', async () => {
    const chord = await t.queue.chord<number>(
      [
        { task: 'flow.start', args: [1] },
        { task: 'flow.double', args: [2] },
        { task: 'flow.start', args: [3] },
      ],
      { task: 'flow.sum' },
    );
    await expect(chord.result({ timeout: 10_000 })).resolves.toBe(8);
  });

  it('writes an enqueueMany across queues and a group', async () => {
    const handles = await t.queue.enqueueMany([
      { task: 'flow.start', args: [1] },
      { task: 'flow.double', args: [4] },
    ]);
    await expect(Promise.all(handles.map((h) => h.result({ timeout: 10_000 })))).resolves.toEqual([
      1, 8,
    ]);
    const group = await t.queue.group([
      { task: 'flow.double', args: [1] },
      { task: 'flow.start', args: [9] },
    ]);
    await expect(group.results({ timeout: 10_000 })).resolves.toEqual([2, 9]);
  });

  it('lets a parent wait for children of other queues', async () => {
    const parent = await t.queue.enqueue('flow.parent', []);
    await expect(parent.result({ timeout: 15_000 })).resolves.toEqual([1, 10]);
  });
});
