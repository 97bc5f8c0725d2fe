import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { filter, firstValueFrom } from 'rxjs';
import { Task, taskContext, WorkerEvent } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { KeyBuilder, TASK_FIELDS } from '../../lib/broker/keys';
import {
  encodeSchedule,
  StoredSchedule,
  tickTask,
  tickTaskId,
} from '../../lib/scheduling/schedule-definition';
import { testBroker } from '../support/broker';
import { Ledger } from '../support/ledger';
import { rawRedis, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const SCHEDULE = 'every-second';

const stored: StoredSchedule = {
  recurrence: { every: 1000 },
  catchUp: 'once',
  task: {
    name: 'tick.mark',
    queue: 'ticks',
    args: '[]',
    priority: '0',
    options: '',
    resultTtl: '',
    metadata: '',
    lock: '',
    limit: '',
  },
};

/** Every record with task id `id` under `prefix`, in any slot (tests only: uses KEYS). */
async function recordsOf(redis: Redis, prefix: string, id: string): Promise<string[]> {
  const [own, queues] = await Promise.all([
    redis.keys(`{${prefix}}:t:${id}`),
    redis.keys(`{${prefix}:*}:t:${id}`),
  ]);
  return [...own, ...queues];
}

describe('firing a schedule tick (broker)', () => {
  let broker: Broker;
  let redis: Redis;
  let keys: KeyBuilder;
  let tick: number;
  beforeEach(async () => {
    ({ broker, redis, keys } = testBroker());
    tick = Date.now() - 10;
    await broker.schedule(SCHEDULE, encodeSchedule(stored), tick);
  });
  afterEach(() => redis.disconnect());

  const task = () => tickTask(SCHEDULE, tick, stored.task, broker.router);
  const dueAt = async () => Number(await redis.zscore(keys.family('scheduleDue'), SCHEDULE));
  /** The task record of tick `at` and its place in the ready list. */
  async function tickRecord(at: number): Promise<{ records: number; ready: number }> {
    const id = tickTaskId(SCHEDULE, at);
    const slot = broker.router.slotFor('ticks', id);
    const ready = await redis.lrange(slot.ready('ticks', 0), 0, -1);
    return {
      records: (await recordsOf(redis, keys.prefix, id)).length,
      ready: ready.filter((entry) => entry === id).length,
    };
  }

  it('writes the tick task into its queue and moves the schedule on', async () => {
    expect(await broker.fireSchedule(SCHEDULE, tick, tick + 1000, task())).toBe('fired');
    expect(await dueAt()).toBe(tick + 1000);
    expect(await tickRecord(tick)).toEqual({ records: 1, ready: 1 });
    const id = tickTaskId(SCHEDULE, tick);
    const slot = broker.router.slotFor('ticks', id);
    expect(await redis.hget(slot.task(id), TASK_FIELDS.name)).toBe('tick.mark');
    // The schedule's records stay on the prefix's slot.
    expect(await redis.hexists(keys.family('schedules'), SCHEDULE)).toBe(1);
  });

  it('a tick whose task was written but whose schedule did not move on: the next firing only moves it on', async () => {
    // The first step alone, as a worker that died before the second left it.
    expect(await broker.enqueue([task()], false)).toEqual(['written']);
    expect(await dueAt()).toBe(tick);

    expect(await broker.fireSchedule(SCHEDULE, tick, tick + 1000, task())).toBe('taken');
    expect(await dueAt()).toBe(tick + 1000);
    expect(await tickRecord(tick)).toEqual({ records: 1, ready: 1 });
  });

  it('fired again by a worker that read the tick before another fired it, writes no second task', async () => {
    expect(await broker.fireSchedule(SCHEDULE, tick, tick + 1000, task())).toBe('fired');
    expect(await broker.fireSchedule(SCHEDULE, tick, tick + 1000, task())).toBe('taken');
    expect(await dueAt()).toBe(tick + 1000);
    expect(await tickRecord(tick)).toEqual({ records: 1, ready: 1 });
  });

  it('skips a missed tick without a task', async () => {
    expect(await broker.fireSchedule(SCHEDULE, tick, tick + 1000, undefined)).toBe('skipped');
    expect(await dueAt()).toBe(tick + 1000);
    expect(await tickRecord(tick)).toEqual({ records: 0, ready: 0 });
  });

  it('writes nothing for a schedule removed since its tick was read', async () => {
    expect(await broker.unschedule(SCHEDULE)).toBe(true);
    expect(await broker.fireSchedule(SCHEDULE, tick, tick + 1000, task())).toBe('taken');
    expect(await tickRecord(tick)).toEqual({ records: 0, ready: 0 });
    expect(await redis.zscore(keys.family('scheduleDue'), SCHEDULE)).toBeNull();
  });
});

const ran = new Ledger<string>();

@Injectable()
class Marker {
  @Task({ name: 'tick.mark', queue: 'ticks' })
  async mark(): Promise<void> {
    ran.add(taskContext().id);
  }
}

type Fired = Extract<WorkerEvent, { type: 'schedule.fired' }>;

describe('firing a schedule tick (worker)', () => {
  const apps: TestApp[] = [];
  const redis = rawRedis();
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    ran.entries.length = 0;
  });
  afterAll(() => redis.disconnect());

  it('after a worker wrote a tick task and died before moving the schedule on, the tick runs once and the schedule goes on', async () => {
    const prefix = uniquePrefix();
    const producer = await createTestApp([Marker], { prefix, worker: { enabled: false } });
    apps.push(producer);
    const schedule = await producer.queue.schedule('tick.mark', { every: 1000 });
    const tick = schedule.nextRunAt.getTime();
    const broker = producer.app.get(Broker);
    const definition = await redis.hget(broker.keys.family('schedules'), schedule.id);
    const { task } = JSON.parse(definition as string) as StoredSchedule;
    // The dead worker's first step, before the tick is due.
    expect(await broker.enqueue([tickTask(schedule.id, tick, task, broker.router)], false)).toEqual(
      ['written'],
    );

    const worker = await createTestApp([Marker], { prefix });
    apps.push(worker);
    const fired = await firstValueFrom(
      worker.worker.events$.pipe(
        filter((event): event is Fired => event.type === 'schedule.fired'),
      ),
    );
    // The worker fired the tick after: the one the dead worker left was only moved on.
    const next = Number(fired.taskId.split('@')[1]);
    expect(next).toBeGreaterThan(tick);
    await ran.until(2);
    expect(ran.entries.slice(0, 2)).toEqual([tickTaskId(schedule.id, tick), fired.taskId]);
    expect(await recordsOf(redis, prefix, tickTaskId(schedule.id, tick))).toHaveLength(1);
  });
});
