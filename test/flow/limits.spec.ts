import { TaskHandle } from '../../lib';
import { FlowFixture } from '../support/flow-worker';
import { mostAtOnce, mostStartsWithin, runSpans } from '../support/run-spans';

// Each test starts worker processes: slow on a loaded machine.
jest.setTimeout(120_000);

describe('rate limits and queue concurrency across worker processes', () => {
  const flow = new FlowFixture();

  async function startWorkers(count: number, queueSettings = {}, leaseMs?: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await flow.start({ label: `w${i}`, queueSettings, leaseMs: leaseMs ?? 10_000 });
    }
  }

  async function enqueue(
    name: string,
    queue: string,
    count: number,
    ms = 0,
  ): Promise<TaskHandle[]> {
    return Promise.all(
      Array.from({ length: count }, () => flow.producer.queue.enqueue(name, [ms], { queue })),
    );
  }

  it('starts no more than max runs of a queue in any interval of perMs, across workers', async () => {
    await startWorkers(2, { rated: { rateLimit: { max: 3, perMs: 300 } } });
    const handles = await enqueue('flow.rated', 'rated', 15);
    await Promise.all(handles.map((handle) => handle.result()));
    const starts = (await runSpans(handles)).map((span) => span.start);
    expect(starts).toHaveLength(15);
    expect(mostStartsWithin(starts, 300)).toBe(3);
    expect(await flow.producer.queue.settings('rated')).toMatchObject({
      rateLimit: { max: 3, perMs: 300 },
    });
  });

  it("holds a task name at its rate limit while the queue's other tasks run", async () => {
    await startWorkers(2);
    // flow.named: @Task({ rateLimit: { max: 3, perMs: 400 } }); flow.free has no limit.
    const named = await enqueue('flow.named', 'named', 9);
    const free = await enqueue('flow.free', 'named', 9);
    await Promise.all([...named, ...free].map((handle) => handle.result()));
    const namedStarts = (await runSpans(named)).map((span) => span.start);
    expect(mostStartsWithin(namedStarts, 400)).toBe(3);
    // Enqueued behind them, the free tasks did not wait for the limited ones' windows.
    const lastFree = Math.max(...(await runSpans(free)).map((span) => span.start));
    expect(lastFree).toBeLessThan(namedStarts[6]);
    expect((await flow.producer.queue.settings('named')).taskRateLimits).toEqual({
      'flow.named': { max: 3, perMs: 400 },
    });
  });

  it('runs no more than queues.<q>.concurrency tasks of a queue at once, across workers', async () => {
    await startWorkers(2, { capped: { concurrency: 2 } });
    const handles = await enqueue('flow.capped', 'capped', 12, 30);
    await Promise.all(handles.map((handle) => handle.result()));
    const spans = await runSpans(handles);
    expect(spans).toHaveLength(12);
    expect(mostAtOnce(spans)).toBe(2);
  });

  it("gives a SIGKILLed worker's concurrency places and rate starts back once its leases expire", async () => {
    const settings = { capped: { concurrency: 2, rateLimit: { max: 2, perMs: 200 } } };
    // A short lease: the killed worker's runs come back soon.
    await startWorkers(1, settings, 1000);
    // The first attempt of each hangs: the worker holds both places when it is killed.
    const hung = await enqueue('flow.capped', 'capped', 2, -1);
    await flow.workers[0].next('started');
    await flow.workers[0].next('started');
    const waiting = await enqueue('flow.capped', 'capped', 4);
    await flow.workers[0].kill();
    await startWorkers(1, settings);
    const handles = [...hung, ...waiting];
    await Promise.all(handles.map((handle) => handle.result()));
    const spans = await runSpans(handles);
    // Two killed runs, then a run of each task.
    expect(spans).toHaveLength(8);
    expect(
      mostStartsWithin(
        spans.map((span) => span.start),
        200,
      ),
    ).toBeLessThanOrEqual(2);
    expect(await flow.producer.queue.stats('capped')).toMatchObject({ waiting: 0, running: 0 });
  });
});
