import { Injectable } from '@nestjs/common';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { InvalidOptionsError, Task, taskContext, WorkerEvent } from '../../lib';
import { Ledger } from '../support/ledger';
import { keysOf, rawRedis, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const ticks = new Ledger<{ id: string; args: unknown[] }>();

@Injectable()
class Ticker {
  @Task({ name: 'tick.record', queue: 'ticks' })
  async record(...args: unknown[]): Promise<void> {
    ticks.add({ id: taskContext().id, args });
  }
}

@Injectable()
class DeclaredTicker {
  @Task({ name: 'tick.declared', queue: 'ticks', schedule: { every: 200, args: ['declared'] } })
  async declared(label: string): Promise<void> {
    ticks.add({ id: taskContext().id, args: [label] });
  }
}

const fired = (app: TestApp, count: number) =>
  firstValueFrom(
    app.worker.events$.pipe(
      filter(
        (event): event is Extract<WorkerEvent, { type: 'schedule.fired' }> =>
          event.type === 'schedule.fired',
      ),
      take(count),
      toArray(),
    ),
  );

describe('schedules', () => {
  const apps: TestApp[] = [];
  beforeEach(() => (ticks.entries.length = 0));
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('enqueues a task per tick of an interval, with its args, until unscheduled', async () => {
    const app = await createTestApp([Ticker]);
    apps.push(app);
    const schedule = await app.queue.schedule('tick.record', { every: 150, args: [1, 'two'] });
    expect(schedule).toMatchObject({
      task: 'tick.record',
      queue: 'ticks',
      every: 150,
      args: [1, 'two'],
    });
    const three = await fired(app, 3);
    expect(three.map((event) => event.schedule)).toEqual([schedule.id, schedule.id, schedule.id]);
    await ticks.until(3);
    expect(ticks.entries.slice(0, 3).map((entry) => entry.args)).toEqual([
      [1, 'two'],
      [1, 'two'],
      [1, 'two'],
    ]);
    // Tick ids are `<schedule id>@<tick>`: ticks keep the schedule's 150 ms phase. A loaded
    // machine can let a tick pass unfired (catchUp decides what happens to it), so the gap
    // between fired ticks is a whole number of intervals, not always exactly one.
    const times = three.map((event) => Number(event.taskId.split('@')[1]));
    for (const gap of [times[1] - times[0], times[2] - times[1]]) {
      expect(gap).toBeGreaterThan(0);
      expect(gap % 150).toBe(0);
    }

    expect(await app.queue.unschedule(schedule.id)).toBe(true);
    expect(await app.queue.unschedule(schedule.id)).toBe(false);
    expect(await app.queue.schedules()).toEqual([]);
  });

  it('fires a per-second cron schedule on the second', async () => {
    const app = await createTestApp([Ticker]);
    apps.push(app);
    const schedule = await app.queue.schedule('tick.record', { cron: '* * * * * *' });
    expect(schedule.nextRunAt.getTime() % 1000).toBe(0);
    const [first] = await fired(app, 1);
    expect(Number(first.taskId.split('@')[1]) % 1000).toBe(0);
  });

  it('registers @Task schedules at startup, once however many app instances register them', async () => {
    const prefix = uniquePrefix();
    const first = await createTestApp([DeclaredTicker], { prefix });
    const second = await createTestApp([DeclaredTicker], { prefix });
    apps.push(first, second);
    await ticks.until(4);
    const listed = await first.queue.schedules();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ task: 'tick.declared', every: 200, args: ['declared'] });
    // Two workers race for every tick: each tick's task exists once.
    const ids = ticks.entries.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(['once', 'skip'] as const)(
    'after ticks were missed while no worker ran, catchUp %s fires no burst',
    async (catchUp) => {
      const app = await createTestApp([Ticker], { worker: { enabled: false } });
      apps.push(app);
      const schedule = await app.queue.schedule('tick.record', { every: 200, catchUp });
      const missedTick = schedule.nextRunAt.getTime();
      await new Promise((resolve) => setTimeout(resolve, 1100)); // about 5 ticks, no worker
      const startedAt = Date.now();
      const firstTwo = fired(app, 2);
      await app.worker.start();
      const [first, second] = (await firstTwo).map((event) => Number(event.taskId.split('@')[1]));
      if (catchUp === 'once') {
        // One task stands for every missed tick; then the schedule is back on its phase.
        expect(first).toBe(missedTick);
        expect(second).toBeGreaterThan(startedAt);
      } else {
        expect(first).toBeGreaterThan(startedAt);
        expect(second - first).toBe(200);
      }
      expect((second - missedTick) % 200).toBe(0);
    },
  );

  it('gives the same definition the same id, and a custom id replaces its definition', async () => {
    const app = await createTestApp([Ticker], { worker: { enabled: false } });
    apps.push(app);
    const a = await app.queue.schedule('tick.record', { cron: '0 * * * *', args: [1] });
    const b = await app.queue.schedule('tick.record', { cron: '0 * * * *', args: [1] });
    const c = await app.queue.schedule('tick.record', { cron: '0 * * * *', args: [2] });
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    await app.queue.schedule('tick.record', { id: 'hourly', cron: '0 * * * *' });
    const replaced = await app.queue.schedule('tick.record', { id: 'hourly', cron: '30 * * * *' });
    expect(replaced).toMatchObject({ id: 'hourly', cron: '30 * * * *' });
    expect(replaced.nextRunAt.getUTCMinutes()).toBe(30);
    expect((await app.queue.schedules()).map((s) => s.id).sort()).toEqual(
      [a.id, c.id, 'hourly'].sort(),
    );
  });

  it('refuses bad schedules before writing anything', async () => {
    const app = await createTestApp([Ticker], { worker: { enabled: false } });
    apps.push(app);
    const redis = rawRedis();
    // What the app wrote at startup (its task catalog): the bad calls add nothing to it.
    const before = await keysOf(redis, app.prefix);
    const bad: [string, Record<string, unknown>][] = [
      ['tick.record', { cron: 'every day' }],
      ['tick.record', { cron: '0 * * * *', tz: 'Nowhere/Land' }],
      ['tick.record', { every: 50 }],
      ['tick.record', {}],
      ['tick.record', { every: 1000, catchUp: 'all' }],
      ['tick.record', { every: 1000, args: 'x' }],
      ['tick.record', { every: 1000, retries: -1 }],
      ['tick.record', { every: 1000, id: 'a@b' }],
      ['bad name{}', { every: 1000 }],
    ];
    for (const [task, options] of bad) {
      await expect(app.queue.schedule(task, options)).rejects.toBeInstanceOf(InvalidOptionsError);
    }
    expect(await keysOf(redis, app.prefix)).toEqual(before);
    expect(before.every((key) => key.endsWith(':catalog'))).toBe(true);
    redis.disconnect();
  });
});
