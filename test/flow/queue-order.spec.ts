import { createTestApp, TestApp } from '../support/test-app';
import { flowRuns, startFlowWorker } from '../support/flow-worker';
import { WorkerProcess } from '../support/worker-process-handle';

// Each test starts worker processes: slow on a loaded machine.
jest.setTimeout(120_000);

describe('worker.queueOrder', () => {
  let producer: TestApp;
  let worker: WorkerProcess | undefined;

  beforeEach(async () => {
    producer = await createTestApp([], { worker: { enabled: false } });
  });

  afterEach(async () => {
    await worker?.kill();
    await producer.close();
  });

  /** 10 'normal' tasks then 10 'critical' ones, all waiting before the worker starts. */
  async function backlog(): Promise<Promise<unknown>[]> {
    const results: Promise<unknown>[] = [];
    for (const queue of ['normal', 'critical']) {
      for (let i = 0; i < 10; i++) {
        const handle = await producer.queue.enqueue(`flow.${queue}`, [0], { queue });
        results.push(handle.result());
      }
    }
    return results;
  }

  it("'strict' drains the first queue before the next one gets a task", async () => {
    const results = await backlog();
    worker = await startFlowWorker(producer.prefix, {
      label: 'w',
      concurrency: 1,
      queues: ['critical', 'normal'],
      queueOrder: 'strict',
    });
    await Promise.all(results);
    const order = (await flowRuns(producer.prefix)).map((run) => run.task);
    expect(order).toEqual([
      ...Array<string>(10).fill('flow.critical'),
      ...Array<string>(10).fill('flow.normal'),
    ]);
  });

  it("'fair' takes the queues in turn", async () => {
    const results = await backlog();
    worker = await startFlowWorker(producer.prefix, {
      label: 'w',
      concurrency: 1,
      queues: ['critical', 'normal'],
      queueOrder: 'fair',
    });
    await Promise.all(results);
    const order = (await flowRuns(producer.prefix)).map((run) => run.task);
    // One claim at a time: each starts at the other queue.
    const firstHalf = order.slice(0, 10);
    expect(firstHalf.filter((task) => task === 'flow.critical').length).toBeGreaterThan(0);
    expect(firstHalf.filter((task) => task === 'flow.normal').length).toBeGreaterThan(0);
  });
});
