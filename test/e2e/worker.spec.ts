import { Injectable } from '@nestjs/common';
import { Task, TaskStatus } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const concurrency = { now: 0, peak: 0 };
const ran = new Ledger<string>();
const holding = new Ledger<string>();

@Injectable()
class Workload {
  @Task({ name: 'work.busy', queue: 'busy' })
  async busy(): Promise<void> {
    concurrency.now++;
    concurrency.peak = Math.max(concurrency.peak, concurrency.now);
    await new Promise((resolve) => setTimeout(resolve, 20));
    concurrency.now--;
  }

  @Task({ name: 'work.hold', queue: 'hold' })
  async hold(ms: number): Promise<void> {
    holding.add(String(ms));
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  @Task({ name: 'work.alpha', queue: 'alpha' })
  async alpha(label: string): Promise<void> {
    ran.add(`alpha:${label}`);
  }

  @Task({ name: 'work.beta', queue: 'beta' })
  async beta(label: string): Promise<void> {
    ran.add(`beta:${label}`);
  }
}

describe('worker', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  async function app(options: Parameters<typeof createTestApp>[1]): Promise<TestApp> {
    const created = await createTestApp([Workload], options);
    apps.push(created);
    return created;
  }

  it('never runs more tasks at once than its concurrency, and runs them all', async () => {
    const { queue } = await app({ worker: { concurrency: 3 } });
    const handles = await queue.enqueueMany(
      Array.from({ length: 30 }, () => ({ task: 'work.busy', options: { queue: 'busy' } })),
    );
    await Promise.all(handles.map((h) => h.result({ timeout: 10_000 })));
    expect(concurrency.peak).toBe(3);
  });

  it('acknowledges a task and claims the next one in the same round trip', async () => {
    const prefix = uniquePrefix();
    const producer = await app({ prefix, worker: { enabled: false } });
    const count = 50;
    const handles = await producer.queue.enqueueMany(
      Array.from({ length: count }, () => ({ task: 'work.busy', options: { queue: 'busy' } })),
    );
    const worker = await app({ prefix, worker: { enabled: false, concurrency: 1 } });
    const settle = jest.spyOn(worker.app.get(Broker), 'settle');
    await worker.worker.start();
    await Promise.all(handles.map((h) => h.result({ timeout: 10_000 })));
    const calls = settle.mock.calls;
    // One call per task (its outcome plus the next claim), plus the first and last claims.
    expect(calls.length).toBeLessThanOrEqual(count + 2);
    expect(
      calls.filter(([, outcomes, claim]) => outcomes.length === 1 && claim.count === 1).length,
    ).toBeGreaterThanOrEqual(count - 1);
  });

  it('consumes only the queues in worker.queues', async () => {
    const prefix = uniquePrefix();
    const { queue, worker } = await app({ prefix, worker: { queues: ['alpha'] } });
    expect(worker.queues()).toEqual(['alpha']);
    const beta = await queue.enqueue('work.beta', ['b1'], { queue: 'beta' });
    const alpha = await queue.enqueue('work.alpha', ['a1'], { queue: 'alpha' });
    await alpha.result({ timeout: 5000 });
    expect(ran.entries).toEqual(['alpha:a1']);
    expect((await beta.status()).status).toBe(TaskStatus.SUBMITTED);
  });

  it('consumes every queue of its @Task handlers by default', async () => {
    const { worker } = await app({});
    expect(worker.queues().sort()).toEqual(['alpha', 'beta', 'busy', 'hold']);
  });

  it('builds one worker when start() is called twice at once', async () => {
    const { worker } = await app({ worker: { enabled: false } });
    const started: string[] = [];
    const subscription = worker.events$.subscribe((e) => started.push(e.type));
    await Promise.all([worker.start(), worker.start()]);
    expect(started.filter((type) => type === 'worker.started')).toHaveLength(1);
    subscription.unsubscribe();
  });

  it('ends stopped when a start() waiting for a stop is followed by another stop()', async () => {
    const { worker } = await app({});
    const seen: string[] = [];
    const subscription = worker.events$.subscribe((e) => seen.push(e.type));
    // The start() waits for the first stop(); the last call is a stop(), so it wins.
    await Promise.all([worker.stop(), worker.start(), worker.stop()]);
    expect(seen.filter((type) => type.startsWith('worker.st'))).toEqual(['worker.stopped']);
    subscription.unsubscribe();
  });

  it('runs a due delayed task on an idle worker while another worker is busy', async () => {
    const prefix = uniquePrefix();
    const producer = await app({ prefix, worker: { enabled: false } });
    await app({ prefix, worker: { concurrency: 1 } });
    await app({ prefix, worker: { concurrency: 1 } });
    // Whichever worker learns of the delayed task first may then take the blocker: the other,
    // idle one must still wake up on time (every worker hears of new due times).
    const delayed = await producer.queue.enqueue('work.hold', [0], { queue: 'hold', delay: 200 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const blocker = await producer.queue.enqueue('work.hold', [2000], { queue: 'hold' });
    await expect(delayed.result({ timeout: 1500 })).resolves.toBeUndefined();
    await blocker.result({ timeout: 5000 });
  });

  it('does not consume at all with worker.enabled false, until started by hand', async () => {
    const { queue, worker } = await app({ worker: { enabled: false } });
    const handle = await queue.enqueue('work.alpha', ['manual'], { queue: 'alpha' });
    expect((await handle.status()).status).toBe(TaskStatus.SUBMITTED);
    await worker.start();
    await worker.start(); // idempotent
    await expect(handle.result({ timeout: 5000 })).resolves.toBeUndefined();
    expect((await handle.status()).status).toBe(TaskStatus.SUCCEEDED);
  });
});
