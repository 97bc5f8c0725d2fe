import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Task, TaskStatus, taskContext } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { ClaimedTask } from '../../lib/broker/claimed-task';
import { KeyBuilder, SlotKeys, TASK_FIELDS } from '../../lib/broker/keys';
import { TaskRouter } from '../../lib/broker/task-router';
import { Ledger } from '../support/ledger';
import { redisFunctionsInTests, testRedisUrl, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const ran = new Ledger<string>();

@Injectable()
class Spread {
  @Task({ name: 'a.start', queue: 'alpha' })
  async start(n: number): Promise<number> {
    ran.add(`start ${n}`);
    return n;
  }

  @Task({ name: 'b.times', queue: 'beta' })
  async times(factor: number): Promise<number> {
    const previous = taskContext().previous as number;
    ran.add(`times ${factor} prev=${previous}`);
    return previous * factor;
  }

  @Task({ name: 'b.sum', queue: 'beta' })
  async sum(): Promise<number> {
    const parts = taskContext().previous as number[];
    ran.add(`sum ${JSON.stringify(parts)}`);
    return parts.reduce((a, b) => a + b, 0);
  }
}

/**
 * Fault: the process that recorded a workflow member's outcome never delivered the handoff to
 * the next task's slot (it died between the two calls). Here a broker records the outcome with
 * the settle script and skips the delivery, as such a process would have; the sweep of a worker
 * started afterwards, or called directly, must complete the workflow, exactly once.
 */
describe("handoffs across slots left undelivered ('queue' layout)", () => {
  const apps: TestApp[] = [];
  let redis: Redis;
  let broker: Broker;
  let prefix: string;
  let alpha: SlotKeys;
  let beta: SlotKeys;

  beforeEach(() => {
    ran.entries.length = 0;
    prefix = uniquePrefix();
    redis = new Redis(testRedisUrl());
    const router = new TaskRouter(new KeyBuilder(prefix, 'queue'), {});
    broker = new Broker(redis, router, {
      eventsMaxLen: 10_000,
      deadLetterTtl: 86_400_000,
      commandTimeoutMs: 5_000,
      redisFunctions: redisFunctionsInTests(),
    });
    alpha = router.keys.slot('alpha');
    beta = router.keys.slot('beta');
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await redis.quit();
  });

  const producer = async () => {
    const app = await createTestApp([], { prefix, keyLayout: 'queue', worker: { enabled: false } });
    apps.push(app);
    return app;
  };

  const claim = async (slot: SlotKeys, queue: string, count: number): Promise<ClaimedTask[]> =>
    (await broker.settle(slot, [], { queues: [queue], count, leaseMs: 60_000 })).tasks;

  // The producer has no handlers: each request names its queue.
  /** Records a success with the settle script, without delivering what it hands off. */
  const completeUndelivered = async (task: ClaimedTask, result: string): Promise<string[]> => {
    const settled = await broker.settle(
      task.slot,
      [{ kind: 'complete', id: task.id, attempt: task.attempt, result, slot: task.slot }],
      { queues: [], count: 0, leaseMs: 60_000 },
      { deliver: false },
    );
    expect(settled.results).toEqual(['recorded']);
    return settled.handoffs;
  };

  it("releases a chain's next step once, from a worker's sweep", async () => {
    const chain = await (
      await producer()
    ).queue.chain<number>([
      { task: 'a.start', args: [4], options: { queue: 'alpha' } },
      { task: 'b.times', args: [10], options: { queue: 'beta' } },
    ]);
    expect(alpha.base).not.toBe(beta.base);
    const [first] = await claim(alpha, 'alpha', 1);
    expect(first.id).toBe(chain.steps[0].id);
    expect(await completeUndelivered(first, '4')).toHaveLength(1);
    // The outcome is recorded; the next step still waits, its release held in alpha's outbox.
    expect(await redis.zcard(alpha.outbox())).toBe(1);
    expect((await chain.steps[1].status()).status).toBe(TaskStatus.SUBMITTED);
    expect(await claim(beta, 'beta', 1)).toEqual([]);

    const worker = await createTestApp([Spread], {
      prefix,
      keyLayout: 'queue',
      worker: { leaseMs: 1000 },
    });
    apps.push(worker);
    await expect(chain.result({ timeout: 10_000 })).resolves.toBe(40);
    expect(ran.entries).toEqual(['times 10 prev=4']);
    expect(await redis.zcard(alpha.outbox())).toBe(0);
  });

  it('counts a chord part once however often its handoff is applied, and the callback runs once', async () => {
    const chord = await (
      await producer()
    ).queue.chord<number>(
      [
        { task: 'a.start', args: [2], options: { queue: 'alpha' } },
        { task: 'a.start', args: [5], options: { queue: 'alpha' } },
      ],
      { task: 'b.sum', options: { queue: 'beta' } },
    );
    const parts = await claim(alpha, 'alpha', 2);
    const byId = new Map(parts.map((part) => [part.id, part]));
    const [one, two] = chord.parts.map((part) => byId.get(part.id) as ClaimedTask);
    const callbackKey = beta.task(chord.callback.id);

    const handoffs = await completeUndelivered(one, '2');
    await broker.handoffs.deliver(alpha, handoffs);
    await broker.handoffs.deliver(alpha, handoffs);
    expect(await redis.hget(callbackKey, TASK_FIELDS.pending)).toBe('1');

    const last = await completeUndelivered(two, '5');
    // The sweep finds it (age 0: anything in the outbox), applies it, and empties the outbox.
    expect(await broker.sweepWorkflows(alpha, 0)).toBe(1);
    expect(await broker.sweepWorkflows(alpha, 0)).toBe(0);
    await broker.handoffs.deliver(alpha, last);
    expect(await redis.hget(callbackKey, TASK_FIELDS.pending)).toBe('0');

    const worker = await createTestApp([Spread], { prefix, keyLayout: 'queue' });
    apps.push(worker);
    await expect(chord.result({ timeout: 10_000 })).resolves.toBe(7);
    expect(ran.entries).toEqual(['sum [2,5]']);
  });
});
