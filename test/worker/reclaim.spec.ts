import { Subject } from 'rxjs';
import { TASK_FIELDS } from '../../lib/broker/keys';
import { TaskRegistry } from '../../lib/discovery/task.registry';
import { HookInvoker } from '../../lib/hooks/hook-invoker';
import { HookRegistry } from '../../lib/hooks/hook.registry';
import { JsonSerializer } from '../../lib/serialization/json-serializer';
import { LeaseKeeper } from '../../lib/worker/lease-keeper';
import { ProgressWriter } from '../../lib/worker/progress-writer';
import { RunHooks } from '../../lib/worker/run-hooks';
import { Settler } from '../../lib/worker/settler';
import { taskContext } from '../../lib/worker/task-context';
import { TaskRunner } from '../../lib/worker/task-runner';
import { WorkerEvent } from '../../lib/core/worker-event';
import { newTask, sleep, testBroker } from '../support/broker';

describe('reclaiming expired leases', () => {
  it('sweeps each queue under its own lock, so a sweep of one queue never blocks another', async () => {
    const { broker, redis } = testBroker();
    await broker.enqueue([newTask(broker, 'in-b', 'b')], true);
    await broker.settle(broker.keys.slot('b'), [], { queues: ['b'], count: 1, leaseMs: 50 });
    await sleep(100);
    expect(await broker.reclaimExpired(broker.keys.slot('a'), ['a'], 2, 10_000)).toEqual({
      reclaimed: [],
      failed: [],
    });
    expect(await broker.reclaimExpired(broker.keys.slot('b'), ['b'], 2, 10_000)).toEqual({
      reclaimed: ['in-b'],
      failed: [],
    });
    // Within the interval, the same queue is not swept again.
    await broker.settle(broker.keys.slot('b'), [], { queues: ['b'], count: 1, leaseMs: 50 });
    await sleep(100);
    expect(await broker.reclaimExpired(broker.keys.slot('b'), ['b'], 2, 10_000)).toEqual({
      reclaimed: [],
      failed: [],
    });
    redis.disconnect();
  });

  it('puts reclaimed tasks back in their original order', async () => {
    const { broker, redis } = testBroker();
    await broker.enqueue(
      ['t1', 't2', 't3'].map((id) => newTask(broker, id, 'q')),
      true,
    );
    await broker.settle(broker.keys.slot('q'), [], { queues: ['q'], count: 3, leaseMs: 50 });
    await sleep(100);
    expect(
      (await broker.reclaimExpired(broker.keys.slot('q'), ['q'], 2, 10_000)).reclaimed.sort(),
    ).toEqual(['t1', 't2', 't3']);
    const again = await broker.settle(broker.keys.slot('q'), [], {
      queues: ['q'],
      count: 3,
      leaseMs: 10_000,
    });
    expect(again.tasks.map((t) => t.id)).toEqual(['t1', 't2', 't3']);
    redis.disconnect();
  });

  it('aborts only the hung run when a worker holds it and a newer run of the same task', async () => {
    const { broker, redis, keys } = testBroker();
    const events = new Subject<WorkerEvent>();
    const signals = new Map<number, AbortSignal>();
    const registry = new TaskRegistry();
    registry.register({
      name: 'x',
      source: 'Test.x',
      options: {},
      handler: async () => {
        const { attempt, signal } = taskContext();
        signals.set(attempt, signal);
        await sleep(attempt === 1 ? 1500 : 300); // the first run hangs past its lease
        return 'ok';
      },
    });
    const settler = new Settler(
      broker,
      { queues: ['q'], leaseMs: 200 },
      4,
      {
        stallMs: 10_000,
        reopen: () => undefined,
        closes: () => 0,
      },
      new Subject(),
    );
    const children = {
      enqueue: () => Promise.reject(new Error('no children here')),
      results: () => Promise.reject(new Error('no children here')),
    };
    const hooks = new RunHooks(new HookInvoker(new HookRegistry()));
    const runner = new TaskRunner(
      registry,
      broker,
      settler,
      new JsonSerializer(),
      events,
      children,
      hooks,
      new ProgressWriter(broker, events),
      new Subject(),
    );
    const keeper = new LeaseKeeper(
      broker,
      runner,
      { leaseMs: 200, maxReclaims: 2, queues: ['q'] },
      events,
    );
    await broker.enqueue([newTask(broker, 'X', 'q')], true);
    const first = await broker.settle(broker.keys.slot('q'), [], {
      queues: ['q'],
      count: 1,
      leaseMs: 200,
    });
    const firstRun = runner.run(first.tasks[0]);
    await sleep(300); // attempt 1's lease expires (nobody renews it)
    expect((await broker.reclaimExpired(broker.keys.slot('q'), ['q'], 2, 50)).reclaimed).toEqual([
      'X',
    ]);
    // The same worker claims attempt 2 while a renewal still carries attempt 1.
    const second = await broker.settle(broker.keys.slot('q'), [], {
      queues: ['q'],
      count: 1,
      leaseMs: 10_000,
    });
    const secondRun = runner.run(second.tasks[0]);
    await keeper.renewAll();
    expect(signals.get(1)?.aborted).toBe(true);
    expect(signals.get(2)?.aborted).toBe(false);
    await Promise.all([firstRun, secondRun]);
    expect(
      await redis.hmget(keys.slot('q').task('X'), TASK_FIELDS.status, TASK_FIELDS.attempt),
    ).toEqual(['succeeded', '2']);
    redis.disconnect();
  });
});
