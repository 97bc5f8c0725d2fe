import { Injectable } from '@nestjs/common';
import { Task, taskContext } from '../../lib';
import { expectNothingLostOrDuplicated, finishFaultScenario } from '../support/fault-scenario';
import { uniquePrefix } from '../support/redis';
import { RunLedger } from '../support/run-ledger';
import { createTestApp, TestApp } from '../support/test-app';
import { WorkerProcess } from '../support/worker-process-handle';

const LEASE_MS = 1000;

/** The survivor's handlers: the worker process's task names, but 'fault.hang' finishes. */
@Injectable()
class Survivor {
  constructor(private readonly ledger: RunLedger) {}

  @Task({ name: 'fault.hang', queue: 'fault' })
  async hang(): Promise<string> {
    const { id, attempt, previous } = taskContext();
    await this.ledger.append(id, attempt);
    return `after ${String(previous)}`;
  }

  @Task({ name: 'fault.work', queue: 'fault' })
  async work(): Promise<string> {
    const { id, attempt, previous } = taskContext();
    await this.ledger.append(id, attempt);
    return `${String(previous)}, done`;
  }
}

/** Fault: the worker running a chain's middle step is SIGKILLed. */
describe('a chain whose worker dies between steps', () => {
  const apps: TestApp[] = [];
  let worker: WorkerProcess | undefined;
  let ledger: RunLedger | undefined;
  afterAll(async () => {
    await worker?.kill();
    await Promise.all(apps.map((app) => app.close()));
    ledger?.close();
  });

  it('completes on another worker, every step with one recorded outcome', async () => {
    const prefix = uniquePrefix();
    ledger = new RunLedger(prefix);
    const producer = await createTestApp([], { prefix, worker: { enabled: false } });
    apps.push(producer);
    worker = new WorkerProcess(prefix, { leaseMs: LEASE_MS });
    await worker.next('ready');
    // Step 1 runs on the worker process (it records its run and returns nothing); step 2
    // hangs there until the process is killed.
    const chain = await producer.queue.chain<string>([
      { task: 'fault.work', args: [0], options: { queue: 'fault' } },
      { task: 'fault.hang', options: { queue: 'fault' } },
      { task: 'fault.work', args: [0], options: { queue: 'fault' } },
    ]);
    expect(await worker.next('started')).toBe(`started ${chain.steps[1].id} 1`);
    const survivor = await createTestApp([Survivor, { provide: RunLedger, useValue: ledger }], {
      prefix,
      worker: { leaseMs: LEASE_MS },
    });
    apps.push(survivor);
    await worker.kill();
    const killedAt = Date.now();

    await expect(chain.result({ timeout: 15_000 })).resolves.toBe('after undefined, done');
    const measure = await finishFaultScenario({
      scenario: 'Chain of 3, worker SIGKILLed during step 2',
      queue: producer.queue,
      ids: chain.steps.map((step) => step.id),
      ledger,
      faultAt: killedAt,
    });
    expectNothingLostOrDuplicated(measure);
    const histories = await Promise.all(chain.steps.map((step) => step.history()));
    expect(histories.map((h) => h.map((e) => `${e.status}@${e.attempt}`).join())).toEqual([
      'submitted@0,running@1,succeeded@1',
      'submitted@0,running@1,submitted@1,running@2,succeeded@2',
      'submitted@0,running@1,succeeded@1',
    ]);
  }, 60_000);
});
