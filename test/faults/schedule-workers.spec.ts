import { expectNothingLostOrDuplicated, finishFaultScenario } from '../support/fault-scenario';
import { QueueService } from '../../lib';
import { KeyBuilder } from '../../lib/broker/keys';
import { keyLayoutInTests, rawRedis, uniquePrefix } from '../support/redis';
import { RunLedger } from '../support/run-ledger';
import { createTestApp, TestApp } from '../support/test-app';
import { WorkerProcess } from '../support/worker-process-handle';

const WORKERS = 3;
const SECONDS = Number(process.env.TASKMILL_FAULT_SCHEDULE_SECONDS ?? 6);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Sleeps until `offsetMs` into the next second, e.g. 900 → just before a tick. */
const untilInSecond = (offsetMs: number) => sleep(1000 + offsetMs - (Date.now() % 1000));

/** Every tick a schedule fired, from the tasks it enqueued (`<schedule id>@<tick>`). */
function ticksOf(ids: string[]): number[] {
  return ids.map((id) => Number(id.split('@')[1])).sort((a, b) => a - b);
}

/**
 * Fault scenario: a per-second cron schedule with three worker processes racing for every
 * tick, one of them SIGKILLed just before a tick. Each tick must enqueue one task, none
 * missing, none twice.
 */
describe('a cron schedule with several worker processes', () => {
  let producer: TestApp;
  let ledger: RunLedger;
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await producer?.close();
    ledger?.close();
  });

  it('enqueues exactly one task per tick, across a worker crash', async () => {
    const prefix = uniquePrefix();
    ledger = new RunLedger(prefix);
    producer = await createTestApp([], { prefix, worker: { enabled: false } });
    for (let i = 0; i < WORKERS; i++) workers.push(new WorkerProcess(prefix));
    await Promise.all(workers.map((w) => w.next('ready')));

    const schedule = await producer.queue.schedule('fault.work', {
      cron: '* * * * * *',
      queue: 'fault',
      args: [0],
    });
    await untilInSecond(900);
    await sleep(Math.floor(SECONDS / 2) * 1000);
    const killedAt = Date.now(); // about 100 ms before a tick
    await workers[0].kill();
    await sleep(Math.ceil(SECONDS / 2) * 1000);
    await producer.queue.unschedule(schedule.id);

    const events = await readSubmitted(prefix);
    const ids = events.filter((id) => id.startsWith(`${schedule.id}@`));
    const ticks = ticksOf(ids);
    const measure = await finishFaultScenario({
      scenario: `Cron schedule, ${WORKERS} worker processes, one SIGKILLed before a tick`,
      queue: inQueue(producer.queue, 'fault'),
      ids,
      ledger,
      faultAt: killedAt,
    });
    expectNothingLostOrDuplicated(measure);
    // One SUBMITTED event per tick: no tick enqueued twice, and no second skipped.
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.length).toBeGreaterThanOrEqual(SECONDS);
    ticks.forEach((tick, i) => {
      expect(tick % 1000).toBe(0);
      if (i > 0) expect(tick - ticks[i - 1]).toBe(1000);
    });
  }, 60_000);
});

/** Ids of every SUBMITTED event in the fault queue's events stream, duplicates kept. */
async function readSubmitted(prefix: string): Promise<string[]> {
  const redis = rawRedis();
  const entries = await redis.xrange(
    new KeyBuilder(prefix, keyLayoutInTests()).slot('fault').queue('fault', 'events'),
    '-',
    '+',
  );
  redis.disconnect();
  return entries
    .filter(([, fields]) => fields[fields.indexOf('status') + 1] === 'submitted')
    .map(([, fields]) => fields[fields.indexOf('id') + 1]);
}

/**
 * The producer's QueueService, whose handle(id) knows the queue: a tick's task has a custom id
 * (`<schedule id>@<tick>`), which in the 'queue' layout does not tell its slot alone.
 */
function inQueue(queue: QueueService, name: string): QueueService {
  return Object.create(queue, {
    handle: { value: (id: string) => queue.handle(id, { queue: name }) },
  }) as QueueService;
}
