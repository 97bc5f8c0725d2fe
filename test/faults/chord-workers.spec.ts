import { expectNothingLostOrDuplicated, finishFaultScenario } from '../support/fault-scenario';
import { uniquePrefix } from '../support/redis';
import { RunLedger } from '../support/run-ledger';
import { createTestApp, TestApp } from '../support/test-app';
import { WorkerProcess } from '../support/worker-process-handle';

const PARTS = 50;

/** Chord parts finishing at the same moment on different processes: one callback. */
describe('a chord over two worker processes', () => {
  let producer: TestApp | undefined;
  let ledger: RunLedger | undefined;
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await producer?.close();
    ledger?.close();
  });

  it(`runs the callback exactly once with all ${PARTS} results in order`, async () => {
    const prefix = uniquePrefix();
    ledger = new RunLedger(prefix);
    producer = await createTestApp([], { prefix, worker: { enabled: false } });
    workers.push(new WorkerProcess(prefix), new WorkerProcess(prefix));
    await Promise.all(workers.map((w) => w.next('ready')));

    const chord = await producer.queue.chord<number[]>(
      Array.from({ length: PARTS }, (_, i) => ({
        task: 'fault.echo',
        args: [i],
        options: { queue: 'fault' },
      })),
      { task: 'fault.join', options: { queue: 'fault' } },
    );
    await expect(chord.result({ timeout: 20_000 })).resolves.toEqual(
      Array.from({ length: PARTS }, (_, i) => i),
    );
    const measure = await finishFaultScenario({
      scenario: `Chord of ${PARTS} parts over 2 worker processes`,
      queue: producer.queue,
      ids: [...chord.parts.map((part) => part.id), chord.callback.id],
      ledger,
    });
    expectNothingLostOrDuplicated(measure);
    const runs = await ledger.runsById();
    expect(runs.get(chord.callback.id)).toEqual([1]);
    // No part ran twice either: nothing crashed, so at-least-once never had to repeat one.
    expect(measure.rerun).toEqual([]);
  }, 60_000);
});
