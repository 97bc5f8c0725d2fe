import { newTask, sleep, testBroker } from '../support/broker';

describe('gates at the broker', () => {
  it("gives a dead worker's place in a lock to the next parked task when its lease is swept", async () => {
    const { broker, redis } = testBroker();
    const locked = (id: string) => ({ ...newTask(broker, id, 'q'), lock: 'only-one' });
    await broker.enqueue([locked('first'), locked('second')], true);
    // One claim takes both: the first enters the lock, the second is parked (not claimed).
    const claimed = await broker.settle(broker.keys.slot('q'), [], {
      queues: ['q'],
      count: 2,
      leaseMs: 50,
    });
    expect(claimed.tasks.map((task) => task.id)).toEqual(['first']);
    expect(
      (await broker.settle(broker.keys.slot('q'), [], { queues: ['q'], count: 2, leaseMs: 50 }))
        .tasks,
    ).toEqual([]);
    await sleep(100); // the first's worker "dies": its lease runs out
    expect((await broker.reclaimExpired(broker.keys.slot('q'), ['q'], 2, 10)).reclaimed).toEqual([
      'first',
    ]);
    // The sweep freed the lock and put both back, the reclaimed task first (it keeps its
    // turn): it takes the lock again and the other is parked again, never both at once.
    const again = await broker.settle(broker.keys.slot('q'), [], {
      queues: ['q'],
      count: 2,
      leaseMs: 10_000,
    });
    expect(again.tasks.map((task) => [task.id, task.attempt])).toEqual([['first', 2]]);
    // Its run ends: the lock passes to the parked task.
    const done = {
      kind: 'complete' as const,
      slot: broker.keys.slot('q'),
      id: 'first',
      attempt: 2,
      result: '',
    };
    const next = await broker.settle(broker.keys.slot('q'), [done], {
      queues: ['q'],
      count: 2,
      leaseMs: 10_000,
    });
    expect(next.tasks.map((task) => task.id)).toEqual(['second']);
    redis.disconnect();
  });
});
