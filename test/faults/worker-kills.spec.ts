import { TaskHandle } from '../../lib';
import { waitUntilTerminal } from '../support/fault-outcomes';
import { expectNothingLostOrDuplicated, finishFaultScenario } from '../support/fault-scenario';
import { uniquePrefix } from '../support/redis';
import { RunLedger } from '../support/run-ledger';
import { createTestApp, TestApp } from '../support/test-app';
import { WorkerProcess } from '../support/worker-process-handle';

// Scale knobs for longer local runs; the defaults are the figures.
const TASKS = Number(process.env.TASKMILL_FAULT_TASKS ?? 5000);
const KILL_EVERY_MS = Number(process.env.TASKMILL_FAULT_KILL_EVERY_MS ?? 300);
const WORKERS = Number(process.env.TASKMILL_FAULT_WORKERS ?? 3);
const LEASE_MS = 1000;
const TASK_MS = 5;
const BATCH = 100;

/** Fault scenario 2: worker processes SIGKILLed again and again while tasks flow. */
describe('workers killed repeatedly under load', () => {
  let producer: TestApp;
  let ledger: RunLedger;
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await producer?.close();
    ledger?.close();
  });

  it(`loses none of ${TASKS} tasks while a worker is SIGKILLed every ${KILL_EVERY_MS} ms`, async () => {
    const prefix = uniquePrefix();
    ledger = new RunLedger(prefix);
    producer = await createTestApp([], { prefix, worker: { enabled: false } });
    const spawn = () => {
      const worker = new WorkerProcess(prefix, { leaseMs: LEASE_MS, concurrency: 20 });
      workers.push(worker);
      return worker;
    };
    await Promise.all(Array.from({ length: WORKERS }, () => spawn().next('ready')));

    let done = false;
    let kills = 0;
    let lastKillAt = 0;
    // Only workers that are running tasks are killed: one still booting holds nothing, and
    // killing it would only starve the queue.
    const killing = (async () => {
      while (!done) {
        await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
        const ready = workers.filter((w) => w.ready && w.alive);
        if (done || ready.length === 0) continue;
        await ready[Math.floor(Math.random() * ready.length)].kill();
        lastKillAt = Date.now();
        kills++;
        spawn();
      }
    })();

    const handles: TaskHandle[] = [];
    for (let sent = 0; sent < TASKS; sent += BATCH) {
      const count = Math.min(BATCH, TASKS - sent);
      const batch = Array.from({ length: count }, () => ({
        task: 'fault.work',
        args: [TASK_MS],
        options: { queue: 'fault' },
      }));
      handles.push(...(await producer.queue.enqueueMany(batch)));
    }
    const ids = handles.map((h) => h.id);
    // Killing goes on until every task ended; the figures are read after the last kill.
    await waitUntilTerminal(producer.queue, ids, 120_000);
    done = true;
    await killing;

    const measure = await finishFaultScenario({
      scenario: `2. ${kills} worker SIGKILLs, one per ≥ ${KILL_EVERY_MS} ms`,
      queue: producer.queue,
      ids,
      ledger,
      faultAt: lastKillAt,
      timeoutMs: 0,
    });
    expect(kills).toBeGreaterThan(0);
    expectNothingLostOrDuplicated(measure);
  }, 180_000);
});
