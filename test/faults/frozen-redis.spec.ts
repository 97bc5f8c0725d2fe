import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  HistoryEntry,
  OnTaskSuccess,
  Task,
  taskContext,
  TaskSuccessContext,
  WorkerEvent,
} from '../../lib';
import { expectNothingLostOrDuplicated, finishFaultScenario } from '../support/fault-scenario';
import { Gate } from '../support/gate';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { RestartableRedis } from '../support/restartable-redis';
import { RunLedger } from '../support/run-ledger';
import { createTestApp, TestApp } from '../support/test-app';

const started = new Ledger<string>();
const ended = new Ledger<string>();
const successHooks: string[] = [];
const finishing = new Gate();

@Injectable()
class Frozen {
  constructor(private readonly ledger: RunLedger) {}

  @Task({ name: 'frozen.work', queue: 'frozen' })
  async work(ms: number): Promise<string> {
    const { id, attempt } = taskContext();
    started.add(`${id}:${attempt}`);
    await finishing.wait();
    await new Promise((resolve) => setTimeout(resolve, ms));
    // The ledger lives on the test server, which this suite never freezes.
    await this.ledger.append(id, attempt);
    ended.add(`${id}:${attempt}`);
    return id;
  }

  @OnTaskSuccess('frozen.work')
  succeeded({ task }: TaskSuccessContext): void {
    successHooks.push(`${task.id}:${task.attempt}`);
  }
}

type OutcomeEvent = Extract<WorkerEvent, { task: unknown }>;
const OUTCOMES = new Set([
  'task.succeeded',
  'task.retrying',
  'task.failed',
  'task.cancelled',
  'task.released',
  'task.lease-lost',
]);

/** The worker event an attempt's run must report, given what Redis recorded for that attempt. */
function expectedReport(history: HistoryEntry[], attempt: number): string {
  const ends = history.filter((entry) => entry.attempt === attempt && entry.status !== 'running');
  const recorded = ends.find((entry) => entry.status !== 'submitted');
  // No end of its own (only a sweep's SUBMITTED, or nothing): a newer attempt owns the task.
  if (!recorded) return 'task.lease-lost';
  return { succeeded: 'task.succeeded', retrying: 'task.retrying', failed: 'task.failed' }[
    recorded.status as 'succeeded' | 'retrying' | 'failed'
  ];
}

/** Resolves when Redis next runs a lease renewal (the renew script's ZADD XX). */
async function renewal(url: string): Promise<void> {
  const client = new Redis(url);
  const monitor = await client.monitor();
  try {
    await new Promise<void>((resolve) =>
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[0]?.toUpperCase() === 'ZADD' && args[2]?.toUpperCase() === 'XX') resolve();
      }),
    );
  } finally {
    monitor.disconnect();
    client.disconnect();
  }
}

/**
 * A redis-server frozen (SIGSTOP) for longer than the lease while runs finish: it keeps its
 * sockets, the kernel keeps buffering what the worker sends, and every call of the outage runs
 * when it is thawed, in the order it was sent.
 */
describe('Redis frozen for longer than the lease while tasks finish', () => {
  let redis: RestartableRedis;
  const apps: TestApp[] = [];
  beforeAll(async () => (redis = await RestartableRedis.start()));
  afterEach(async () => {
    redis.thaw();
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(() => redis.stop());

  it('reports each run as Redis recorded it and fires success hooks once', async () => {
    const freezeMs = Number(process.env.TASKMILL_FAULT_FREEZE_MS ?? 10_000);
    const prefix = uniquePrefix();
    const ledger = new RunLedger(prefix);
    const worker = await createTestApp([Frozen, { provide: RunLedger, useValue: ledger }], {
      connection: redis.url,
      prefix,
      commandTimeoutMs: 2000,
      worker: { leaseMs: 3000, concurrency: 3 },
    });
    apps.push(worker);
    const reports = new Map<string, OutcomeEvent[]>();
    const reported = new Ledger<string>();
    worker.worker.events$.subscribe((event) => {
      if (!OUTCOMES.has(event.type)) return;
      const { task } = event as OutcomeEvent;
      const key = `${task.id}:${task.attempt}`;
      reports.set(key, [...(reports.get(key) ?? []), event as OutcomeEvent]);
      reported.add(key);
    });
    try {
      // Three running when Redis freezes, three waiting: the finished runs' settle calls also
      // claim, so they are the calls the worker waits on and finally reopens the connection for.
      // The runs end one after another: the first two outcomes take both calls the worker
      // sends at once, the third waits in the worker until one is answered.
      const handles = await worker.queue.enqueueMany(
        [0, 100, 200, 0, 0, 0].map((ms) => ({
          task: 'frozen.work',
          args: [ms],
          options: { queue: 'frozen' },
        })),
      );
      await started.until(3);
      // Frozen just after a renewal: the runs end before the next one, so their leases run
      // out on Redis' clock unless the worker keeps renewing them while it holds the outcomes.
      await renewal(redis.url);
      redis.freeze();
      finishing.release();
      await ended.until(3);
      // The freeze lasts for a while after the runs ended: past the lease, the command timeout
      // and the claim watchdog (2 × commandTimeoutMs).
      await new Promise((resolve) => setTimeout(resolve, freezeMs));
      redis.thaw();
      const thawedAt = Date.now();

      const measure = await finishFaultScenario({
        scenario: `Redis frozen (SIGSTOP) ${freezeMs / 1000} s while runs finish`,
        queue: worker.queue,
        ids: handles.map((h) => h.id),
        ledger,
        faultAt: thawedAt,
      });
      expectNothingLostOrDuplicated(measure);
      // A handler may still run twice here (at-least-once; see "What is not there yet" in
      // docs/operations.md): in about one run of four a task is taken back after the thaw
      // although this worker held its outcome. What must hold is checked below: every run, the second one
      // included, reports what Redis recorded for its attempt, and success hooks fire once per
      // recorded success.
      // Every run that started here reports once, as what Redis recorded for its attempt.
      await reported.until(started.entries.length);
      for (const handle of handles) {
        const history = await handle.history();
        const runs = started.entries.filter((key) => key.startsWith(`${handle.id}:`));
        for (const run of runs) {
          const attempt = Number(run.split(':')[1]);
          expect({ run, reported: reports.get(run)?.map((e) => e.type) }).toEqual({
            run,
            reported: [expectedReport(history, attempt)],
          });
        }
        const succeeded = history.filter((entry) => entry.status === 'succeeded');
        expect(successHooks.filter((key) => key.startsWith(`${handle.id}:`))).toEqual(
          succeeded.map((entry) => `${handle.id}:${entry.attempt}`),
        );
      }
    } finally {
      ledger.close();
    }
  }, 90_000);
});
