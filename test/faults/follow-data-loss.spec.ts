import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import {
  StatusUpdate,
  Task,
  TaskHandle,
  TaskNotFoundError,
  TaskStatus,
  WorkerEvent,
} from '../../lib';
import { Gate, running } from '../support/gate';
import { collect } from '../support/observables';
import { uniquePrefix } from '../support/redis';
import { useLossyRedis } from '../support/lossy-redis';
import { createTestApp, TestApp } from '../support/test-app';

const gate = new Gate();

@Injectable()
class Held {
  @Task({ name: 'loss.held', queue: 'loss-held' })
  async held(): Promise<string> {
    await gate.wait();
    return 'done';
  }
}

/** Every way of following one task, started now. */
function followEveryWay(app: TestApp, handle: TaskHandle<unknown>) {
  const settle = <T>(promise: Promise<T>) =>
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  return {
    statuses: collect(handle.status$),
    result: settle(handle.result()),
    timed: settle(handle.result({ timeout: 60_000 })),
    settlements: lastValueFrom(app.queue.results([handle]).pipe(toArray())),
    all: settle(app.queue.allResults([handle])),
  };
}

type Follow = ReturnType<typeof followEveryWay>;

async function expectEveryFollowEnded(follow: Follow, id: string, first: TaskStatus) {
  const statuses = await follow.statuses;
  // Current state first, then the end: UNKNOWN, with what is known of the task, and complete.
  expect(statuses.map((update) => update.status)).toEqual([first, TaskStatus.UNKNOWN]);
  expect(statuses[1]).toMatchObject({ id, task: 'loss.held', queue: 'loss-held' });
  for (const settled of [await follow.result, await follow.timed, await follow.all]) {
    expect(settled).toEqual({ error: expect.any(TaskNotFoundError) });
  }
  const settlements = await follow.settlements;
  expect(settlements).toEqual([
    { id, status: TaskStatus.UNKNOWN, error: expect.any(TaskNotFoundError) },
  ]);
}

/**
 * Issue item 4: a followed task that Redis loses (restart without persistence, FLUSHALL) must
 * end its followers. Each test runs on a private server without persistence.
 */
describe('following a task that Redis loses', () => {
  const lossy = useLossyRedis();
  const apps: TestApp[] = [];
  afterEach(async () => {
    gate.release();
    await Promise.all(apps.splice(0).map((app) => app.close()));
    gate.reset();
  });

  const start = async (prefix: string, worker: boolean, leaseMs = 30_000) => {
    const app = await createTestApp(worker ? [Held] : [], {
      connection: lossy.server.url,
      prefix,
      // The events reader checks for lost data once per blocking timeout.
      blockingTimeoutMs: 500,
      worker: { enabled: worker, leaseMs },
    });
    apps.push(app);
    return app;
  };

  /** Follows a waiting task (no worker runs its queue), once every follower listens. */
  const followWaiting = async () => {
    const producer = await start(uniquePrefix(), false);
    const handle = await producer.queue.enqueue('loss.held', [], { queue: 'loss-held' });
    const follow = followEveryWay(producer, handle);
    // A later subscription's first update comes after the others' snapshots: all listen.
    await firstValueFrom(handle.status$);
    return { handle, follow };
  };

  it('ends every follower of a waiting task wiped by FLUSHALL', async () => {
    const { handle, follow } = await followWaiting();
    await lossy.admin.flushall();
    await expectEveryFollowEnded(follow, handle.id, TaskStatus.SUBMITTED);
  }, 20_000);

  it('ends every follower of a waiting task when Redis restarts empty', async () => {
    const { handle, follow } = await followWaiting();
    await lossy.server.kill();
    await lossy.server.up();
    await expectEveryFollowEnded(follow, handle.id, TaskStatus.SUBMITTED);
  }, 20_000);

  it.each([
    ['Redis restarts empty', () => lossy.server.kill().then(() => lossy.server.up())],
    ['FLUSHALL', () => lossy.admin.flushall().then(() => undefined)],
  ])(
    'ends every follower of a running task when %s, and the worker says UNKNOWN on events$',
    async (_, loseData) => {
      const prefix = uniquePrefix();
      const worker = await start(prefix, true);
      const producer = await start(prefix, false);
      const handle = await producer.queue.enqueue('loss.held', [], { queue: 'loss-held' });
      await running(handle);
      const follow = followEveryWay(producer, handle);
      await firstValueFrom(handle.status$);
      const unknown$ = producer.queue
        .events$({ queue: 'loss-held' })
        .pipe(filter((update: StatusUpdate) => update.status === TaskStatus.UNKNOWN));
      const heard = firstValueFrom(unknown$);
      const vanished = firstValueFrom(
        worker.worker.events$.pipe(
          filter(
            (event: WorkerEvent) =>
              event.type === 'worker.error' && /vanished/.test(event.error.message),
          ),
        ),
      );
      await loseData();
      await expectEveryFollowEnded(follow, handle.id, TaskStatus.RUNNING);
      // The handler ends: its worker finds the record gone and tells everyone.
      gate.release();
      await vanished;
      expect(await heard).toMatchObject({ id: handle.id, task: 'loss.held', attempt: 1 });
    },
    20_000,
  );

  it('says UNKNOWN on events$ at the next lease renewal, while the handler still runs', async () => {
    const prefix = uniquePrefix();
    // Renewals every 200 ms; the handler is held until the end of the test.
    await start(prefix, true, 600);
    const producer = await start(prefix, false);
    const handle = await producer.queue.enqueue('loss.held', [], { queue: 'loss-held' });
    await running(handle);
    const heard = firstValueFrom(
      producer.queue
        .events$({ queue: 'loss-held' })
        .pipe(filter((update: StatusUpdate) => update.status === TaskStatus.UNKNOWN)),
    );
    await lossy.admin.flushall();
    expect(await heard).toMatchObject({ id: handle.id, task: 'loss.held', attempt: 1 });
  }, 20_000);
});
