import { QueueService, TaskHandle, TaskStatus } from '../../lib';
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
const MAX_RECLAIMS = 50;
const TASK_MS = 5;
const BATCH = 100;

/** One SIGKILL: when the signal was sent, and when the process was seen gone. */
interface Kill {
  sentAt: number;
  exitedAt: number;
}

/**
 * The longest time from a kill to the end of a task the killed worker was running. A run ended
 * by a kill shows in the history as RUNNING followed by SUBMITTED (its lease was swept); the
 * kill that ended it is the first whose process was gone after the run started.
 */
async function worstRecoveryMs(
  queue: QueueService,
  ids: string[],
  kills: Kill[],
): Promise<number | null> {
  const histories = await Promise.all(ids.map((id) => queue.handle(id).history()));
  let worst: number | null = null;
  for (const history of histories) {
    const final = history[history.length - 1];
    history.forEach((entry, i) => {
      const run = history[i - 1];
      if (entry.status !== TaskStatus.SUBMITTED || run?.status !== TaskStatus.RUNNING) return;
      const kill = kills.find((k) => k.exitedAt >= run.at);
      if (kill) worst = Math.max(worst ?? 0, final.at - kill.sentAt);
    });
  }
  return worst;
}

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

  it(`loses none of ${TASKS} tasks while worker processes are SIGKILLed again and again`, async () => {
    const prefix = uniquePrefix();
    ledger = new RunLedger(prefix);
    producer = await createTestApp([], { prefix, worker: { enabled: false } });
    const spawn = () => {
      // A task can be interrupted by several kills in a row here: poison detection (scenario 6)
      // must not mistake that for a task that kills its workers.
      const worker = new WorkerProcess(prefix, {
        leaseMs: LEASE_MS,
        concurrency: 20,
        maxReclaims: MAX_RECLAIMS,
      });
      workers.push(worker);
      return worker;
    };
    await Promise.all(Array.from({ length: WORKERS }, () => spawn().next('ready')));

    let done = false;
    const kills: Kill[] = [];
    // Every KILL_EVERY_MS, one of the workers that run tasks dies and a new one starts. One
    // still booting holds nothing, so it is spared; so is the last one running: someone must
    // stay up long enough to sweep the dead workers' leases (a sweep every leaseMs / 3).
    const killing = (async () => {
      while (!done) {
        await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
        const ready = workers.filter((w) => w.ready && w.alive);
        if (done || ready.length < 2) continue;
        const sentAt = Date.now();
        await ready[Math.floor(Math.random() * ready.length)].kill();
        kills.push({ sentAt, exitedAt: Date.now() });
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

    const killingMs = kills.length > 0 ? kills[kills.length - 1].exitedAt - kills[0].sentAt : 0;
    const measure = await finishFaultScenario({
      scenario: `2. ${kills.length} worker SIGKILLs in ${(killingMs / 1000).toFixed(1)} s`,
      queue: producer.queue,
      ids,
      ledger,
      recoveryMs: await worstRecoveryMs(producer.queue, ids, kills),
      timeoutMs: 0,
    });
    expect(kills.length).toBeGreaterThan(0);
    expectNothingLostOrDuplicated(measure);
  }, 180_000);
});
