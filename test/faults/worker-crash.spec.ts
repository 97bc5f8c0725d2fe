import { Injectable } from '@nestjs/common';
import { Task, TaskStatus, taskContext } from '../../lib';
import { expectNothingLostOrDuplicated, finishFaultScenario } from '../support/fault-scenario';
import { failureOf } from '../support/failures';
import { uniquePrefix } from '../support/redis';
import { RunLedger } from '../support/run-ledger';
import { createTestApp, TestApp } from '../support/test-app';
import { WorkerProcess } from '../support/worker-process-handle';

const LEASE_MS = 1000;
const RUNNING = 100;

/** The surviving worker's handlers: the same names as the worker process's, but they finish. */
@Injectable()
class Finisher {
  constructor(private readonly ledger: RunLedger) {}

  @Task({ name: 'fault.hang', queue: 'fault' })
  async finish(): Promise<string> {
    const { id, attempt } = taskContext();
    await this.ledger.append(id, attempt);
    return 'finished by the survivor';
  }

  @Task({ name: 'fault.block', queue: 'fault' })
  async fresh(): Promise<string> {
    const { id, attempt } = taskContext();
    await this.ledger.append(id, attempt);
    return 'fresh';
  }
}

/** Fault scenarios 1, 5 and 6: worker processes SIGKILLed or hung mid-task. */
describe('a worker that dies or hangs mid-task', () => {
  let prefix: string;
  let ledger: RunLedger;
  let producer: TestApp;
  const apps: TestApp[] = [];
  const workers: WorkerProcess[] = [];

  beforeEach(async () => {
    prefix = uniquePrefix();
    ledger = new RunLedger(prefix);
    producer = await createTestApp([], { prefix, worker: { enabled: false } });
    apps.push(producer);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()));
    await Promise.all(apps.splice(0).map((app) => app.close()));
    ledger.close();
  });

  const spawnWorker = (settings: ConstructorParameters<typeof WorkerProcess>[1]) => {
    const worker = new WorkerProcess(prefix, { leaseMs: LEASE_MS, ...settings });
    workers.push(worker);
    return worker;
  };
  const startSurvivor = async (maxReclaims?: number) => {
    const survivor = await createTestApp([Finisher, { provide: RunLedger, useValue: ledger }], {
      prefix,
      worker: { leaseMs: LEASE_MS, concurrency: RUNNING, maxReclaims },
    });
    apps.push(survivor);
  };

  it(`runs all ${RUNNING} tasks of a worker SIGKILLed mid-run on another worker, one outcome each`, async () => {
    const doomed = spawnWorker({ concurrency: RUNNING });
    await doomed.next('ready');
    const handles = await producer.queue.enqueueMany(
      Array.from({ length: RUNNING }, () => ({ task: 'fault.hang', options: { queue: 'fault' } })),
    );
    for (let i = 0; i < RUNNING; i++) await doomed.next('started');
    // The survivor is up before the kill, as in production: it must not take running tasks.
    await startSurvivor();
    await doomed.kill();
    const killedAt = Date.now();

    const measure = await finishFaultScenario({
      scenario: `1. worker SIGKILLed with ${RUNNING} tasks running`,
      queue: producer.queue,
      ids: handles.map((h) => h.id),
      ledger,
      faultAt: killedAt,
    });
    expectNothingLostOrDuplicated(measure);
    // Every task: first run on the killed worker, taken back once, second run succeeded.
    const histories = await Promise.all(handles.map((h) => h.history()));
    const shapes = new Set(histories.map((h) => h.map((e) => `${e.status}@${e.attempt}`).join()));
    expect([...shapes]).toEqual(['submitted@0,running@1,submitted@1,running@2,succeeded@2']);
  }, 60_000);

  it('fences the late outcome of a worker that blocked its event loop past the lease', async () => {
    // The wake-up that follows the reclaim can go to the blocked worker, whose blocking read was
    // first in line, so it may claim the task again (and block again) before the survivor does:
    // enough reclaims for that not to end as a poison failure.
    const blocked = spawnWorker({ maxReclaims: 10 });
    await blocked.next('ready');
    const handle = await producer.queue.enqueue('fault.block', [4 * LEASE_MS], { queue: 'fault' });
    expect(await blocked.next('started')).toBe(`started ${handle.id} 1`);
    const blockedAt = Date.now();
    await startSurvivor(10);
    await expect(handle.result({ timeout: 15_000 })).resolves.toBe('fresh');
    // The blocked worker comes back, tries to record 'late', and is told a newer attempt owns it.
    expect(await blocked.next('lease-lost')).toBe(`lease-lost ${handle.id} 1`);

    const measure = await finishFaultScenario({
      scenario: '5. event loop blocked for 4 × leaseMs',
      queue: producer.queue,
      ids: [handle.id],
      ledger,
      faultAt: blockedAt,
    });
    expectNothingLostOrDuplicated(measure);
    expect(await producer.queue.handle(handle.id).result()).toBe('fresh');
    // The recorded outcome is a later run's, on whichever worker (see the top of this test).
    expect((await handle.status()).attempt).toBeGreaterThan(1);
  }, 60_000);

  it('fails a task that keeps killing its workers as poisonous after maxReclaims', async () => {
    let worker = spawnWorker({ maxReclaims: 1 });
    await worker.next('ready');
    const handle = await producer.queue.enqueue('fault.hang', [], { queue: 'fault' });
    let killedAt = 0;
    for (const attempt of [1, 2]) {
      expect(await worker.next('started')).toBe(`started ${handle.id} ${attempt}`);
      await worker.kill();
      killedAt = Date.now();
      worker = spawnWorker({ maxReclaims: 1 });
    }
    const error = await failureOf(handle, 15_000);

    const measure = await finishFaultScenario({
      scenario: '6. poison task (kills its worker every run)',
      queue: producer.queue,
      ids: [handle.id],
      faultAt: killedAt,
      expected: TaskStatus.FAILED,
    });
    expectNothingLostOrDuplicated(measure);
    expect(error.remoteName).toBe('PoisonTaskError');
    expect(error.remoteMessage).toContain('2 times');
  }, 60_000);
});
