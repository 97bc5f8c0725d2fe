import { TaskStatus } from '../../lib';
import { FlowFixture, flowRuns } from '../support/flow-worker';

/** Polls `read` until `done` holds for its value (the spec's timeout bounds the wait). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Each test starts worker processes: slow on a loaded machine.
jest.setTimeout(120_000);

describe('a worker claims only the tasks it has a handler for', () => {
  const flow = new FlowFixture();

  it('holds a task no live worker can run, visible in stats(), until a worker with its handler runs it', async () => {
    await flow.start({ label: 'old', release: 'old' });
    const fresh = await Promise.all(
      [0, 1, 2].map(() => flow.producer.queue.enqueue('flow.new', [0], { queue: 'flow' })),
    );
    const old = await flow.producer.queue.enqueue('flow.old', [0], { queue: 'flow' });
    expect(await old.result()).toBe('old');
    const stats = await until(
      () => flow.producer.queue.stats('flow'),
      (s) => s.held === 3,
    );
    expect(stats).toMatchObject({ waiting: 3, held: 3, running: 0, deadLettered: 0 });
    for (const handle of fresh) {
      expect((await handle.status()).status).toBe(TaskStatus.SUBMITTED);
    }

    await flow.start({ label: 'new', release: 'new' });
    expect(await Promise.all(fresh.map((handle) => handle.result()))).toEqual([
      'new',
      'new',
      'new',
    ]);
    expect(await flow.producer.queue.stats('flow')).toMatchObject({ waiting: 0, held: 0 });
  });

  it('fails nothing in a rolling deploy: an old worker next to a new one leaves the new tasks to it', async () => {
    await flow.start({ label: 'old', release: 'old' });
    await flow.start({ label: 'new', release: 'new' });
    const handles = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        flow.producer.queue.enqueue(i % 2 === 0 ? 'flow.new' : 'flow.old', [5], { queue: 'flow' }),
      ),
    );
    const results = await Promise.all(handles.map((handle) => handle.result()));
    expect(results.filter((label) => label !== 'old' && label !== 'new')).toEqual([]);

    const runs = await flowRuns(flow.producer.prefix);
    expect(runs.filter((run) => run.task === 'flow.new' && run.label === 'old')).toEqual([]);
    expect(new Set(runs.filter((run) => run.task === 'flow.new').map((run) => run.id)).size).toBe(
      30,
    );
    const stats = await flow.producer.queue.stats('flow');
    expect(stats).toMatchObject({ waiting: 0, held: 0, deadLettered: 0 });
    expect(stats.recent).toMatchObject({ succeeded: 60, failed: 0 });
  });
});
