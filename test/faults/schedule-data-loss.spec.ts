import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom, merge, Observable, Subscription } from 'rxjs';
import { Task, taskContext, WorkerEvent } from '../../lib';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { useLossyRedis } from '../support/lossy-redis';
import { createTestApp, TestApp } from '../support/test-app';

const EVERY = 300;
const ticks = new Ledger<string>();

@Injectable()
class DeclaredTicker {
  @Task({ name: 'loss.tick', queue: 'loss-ticks', schedule: { every: EVERY } })
  async tick(): Promise<void> {
    ticks.add(taskContext().id);
  }
}

type Restored = Extract<WorkerEvent, { type: 'schedules.restored' }>;

const restored$ = (app: TestApp): Observable<Restored> =>
  app.worker.events$.pipe(
    filter((event): event is Restored => event.type === 'schedules.restored'),
  );

/** The tick (epoch ms) of a task a schedule enqueued: its id is `<schedule id>@<tick>`. */
const tickOf = (id: string) => Number(id.split('@')[1]);

/**
 * Issue item 3: a declared @Task schedule must survive Redis losing its data. Each test runs
 * on a private server without persistence (so it may FLUSHALL it and restart it empty).
 */
describe('declared schedules when Redis loses its data', () => {
  const lossy = useLossyRedis();
  const apps: TestApp[] = [];
  beforeEach(() => (ticks.entries.length = 0));
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  const startWorker = async (prefix: string) => {
    // A short blocking timeout: the trigger timer checks at least this often.
    const app = await createTestApp([DeclaredTicker], {
      connection: lossy.server.url,
      prefix,
      blockingTimeoutMs: 500,
    });
    apps.push(app);
    return app;
  };

  it('writes them again after FLUSHALL, says so on events$, and they tick again', async () => {
    const app = await startWorker(uniquePrefix());
    const reports: Restored[] = [];
    const subscription = restored$(app).subscribe((event) => reports.push(event));
    await ticks.until(2);
    // The first registration (at startup) is no loss: nothing reported.
    expect(reports).toEqual([]);
    const [schedule] = await app.queue.schedules();
    const restored = firstValueFrom(restored$(app));
    await lossy.admin.flushall();
    expect((await restored).schedules).toEqual([schedule.id]);
    const before = ticks.entries.length;
    await ticks.until(before + 2);
    subscription.unsubscribe();
    expect(reports).toHaveLength(1);
    expect(await app.queue.schedules()).toMatchObject([{ id: schedule.id, every: EVERY }]);
  });

  it('writes them again after a restart without persistence', async () => {
    const app = await startWorker(uniquePrefix());
    await ticks.until(1);
    const [schedule] = await app.queue.schedules();
    const restored = firstValueFrom(restored$(app));
    await lossy.server.kill();
    await lossy.server.up();
    expect((await restored).schedules).toEqual([schedule.id]);
    const before = ticks.entries.length;
    await ticks.until(before + 2);
  });

  it('with several workers, writes each once and fires each tick once', async () => {
    const prefix = uniquePrefix();
    const workers = [
      await startWorker(prefix),
      await startWorker(prefix),
      await startWorker(prefix),
    ];
    await ticks.until(1);
    const reports: string[][] = [];
    const subscription = new Subscription();
    for (const worker of workers) {
      subscription.add(restored$(worker).subscribe((event) => reports.push(event.schedules)));
    }
    const firstReport = firstValueFrom(merge(...workers.map(restored$)));
    await lossy.admin.flushall();
    const flushedAt = Date.now();
    await firstReport;
    const after = ticks.entries.length;
    await ticks.until(after + 5);
    subscription.unsubscribe();
    // One worker wrote the schedule again; the others found it there.
    expect(reports.flat()).toHaveLength(1);
    expect(await workers[0].queue.schedules()).toHaveLength(1);
    // Each tick enqueued one task (ids are `<schedule>@<tick>`), all on the one phase.
    const ids = ticks.entries.slice(after).filter((id) => tickOf(id) > flushedAt);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    const times = ids.map(tickOf).sort((a, b) => a - b);
    times.slice(1).forEach((tick, i) => expect((tick - times[i]) % EVERY).toBe(0));
  });
});
