import { Injectable } from '@nestjs/common';
import { Task, taskContext } from '../../lib';
import { expectNothingLostOrDuplicated, finishFaultScenario } from '../support/fault-scenario';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { RestartableRedis } from '../support/restartable-redis';
import { RunLedger } from '../support/run-ledger';
import { createTestApp, TestApp } from '../support/test-app';

const started = new Ledger<string>();

@Injectable()
class Durable {
  constructor(private readonly ledger: RunLedger) {}

  @Task({ name: 'durable.work', queue: 'durable' })
  async work(ms: number): Promise<void> {
    const { id, attempt } = taskContext();
    started.add(id);
    await new Promise((resolve) => setTimeout(resolve, ms));
    // The ledger lives on the test server, which this suite never stops.
    await this.ledger.append(id, attempt);
  }
}

const work = (ms: number) => ({ task: 'durable.work', args: [ms], options: { queue: 'durable' } });

/** Fault scenarios 3 and 4: redis-server killed (SIGKILL) mid-run, then started from its AOF. */
describe('Redis restarted mid-run', () => {
  let redis: RestartableRedis;
  let prefix: string;
  let ledger: RunLedger;
  const apps: TestApp[] = [];
  beforeAll(async () => (redis = await RestartableRedis.start()));
  beforeEach(() => {
    prefix = uniquePrefix();
    ledger = new RunLedger(prefix);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    ledger.close();
  });
  afterAll(() => redis.stop());

  const startApps = async () => {
    const options = { connection: redis.url, prefix, worker: { leaseMs: 1000, concurrency: 5 } };
    const worker = await createTestApp(
      [Durable, { provide: RunLedger, useValue: ledger }],
      options,
    );
    const producer = await createTestApp([], { ...options, worker: { enabled: false } });
    apps.push(worker, producer);
    return producer.queue;
  };

  it('loses no acknowledged task, and workers and producers resume by themselves', async () => {
    const queue = await startApps();
    const handles = await queue.enqueueMany(Array.from({ length: 150 }, () => work(20)));
    await started.until(started.entries.length + 20);
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.up();
    const upAt = Date.now();

    // Producers work again without a restart.
    handles.push(await queue.enqueue('durable.work', [20], { queue: 'durable' }));

    // Every acknowledged task reaches SUCCEEDED (some may have run twice: at-least-once).
    const measure = await finishFaultScenario({
      scenario: '3. redis-server SIGKILLed, restarted from AOF',
      queue,
      ids: handles.map((h) => h.id),
      ledger,
      faultAt: upAt,
    });
    expectNothingLostOrDuplicated(measure);
  }, 60_000);

  it('resumes by itself after Redis was unreachable for seconds, and the outcomes land', async () => {
    const downMs = Number(process.env.TASKMILL_FAULT_DOWN_MS ?? 10_000);
    const queue = await startApps();
    const before = await queue.enqueue('durable.work', [20], { queue: 'durable' });
    await expect(before.result({ timeout: 5000 })).resolves.toBeUndefined();
    // Five runs in flight when Redis goes: they end during the outage.
    const running = await queue.enqueueMany(Array.from({ length: 5 }, () => work(500)));
    await started.until(started.entries.length + 5);
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await redis.up();
    const upAt = Date.now();
    // The idle worker's blocking read and the producer both come back without a restart.
    const after = await queue.enqueue('durable.work', [20], { queue: 'durable' });

    const measure = await finishFaultScenario({
      scenario: `4. Redis unreachable for ${downMs / 1000} s`,
      queue,
      ids: [before, ...running, after].map((h) => h.id),
      ledger,
      faultAt: upAt,
    });
    expectNothingLostOrDuplicated(measure);
    // Outcomes of runs that ended during the outage were kept and written once Redis was back:
    // no task had to run again.
    expect(measure.rerun).toEqual([]);
  }, 60_000);
});
