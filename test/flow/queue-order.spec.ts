import { FlowFixture, flowRuns } from '../support/flow-worker';

// Each test starts worker processes: slow on a loaded machine.
jest.setTimeout(120_000);

describe('worker.queueOrder', () => {
  const flow = new FlowFixture();

  /** 10 'normal' tasks then 10 'critical' ones, all waiting before the worker starts. */
  async function backlog(): Promise<Promise<unknown>[]> {
    const results: Promise<unknown>[] = [];
    for (const queue of ['normal', 'critical']) {
      for (let i = 0; i < 10; i++) {
        const handle = await flow.producer.queue.enqueue(`flow.${queue}`, [0], { queue });
        results.push(handle.result());
      }
    }
    return results;
  }

  it("'strict' drains the first queue before the next one gets a task", async () => {
    const results = await backlog();
    await flow.start({
      label: 'w',
      concurrency: 1,
      queues: ['critical', 'normal'],
      queueOrder: 'strict',
    });
    await Promise.all(results);
    const order = (await flowRuns(flow.producer.prefix)).map((run) => run.task);
    expect(order).toEqual([
      ...Array<string>(10).fill('flow.critical'),
      ...Array<string>(10).fill('flow.normal'),
    ]);
  });

  it("'fair' takes the queues in turn", async () => {
    const results = await backlog();
    await flow.start({
      label: 'w',
      concurrency: 1,
      queues: ['critical', 'normal'],
      queueOrder: 'fair',
    });
    await Promise.all(results);
    const order = (await flowRuns(flow.producer.prefix)).map((run) => run.task);
    // One claim at a time: each starts at the other queue.
    const firstHalf = order.slice(0, 10);
    expect(firstHalf.filter((task) => task === 'flow.critical').length).toBeGreaterThan(0);
    expect(firstHalf.filter((task) => task === 'flow.normal').length).toBeGreaterThan(0);
  });
});
