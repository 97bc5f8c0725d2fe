import { Provider } from '@nestjs/common';
import {
  PoolOptions,
  TaskHandle,
  TaskStatus,
  TaskTimeoutError,
  WorkerEvent,
  WorkerOptions,
} from '../../lib';
import { failureOf } from '../support/failures';
import { createTestApp, TestApp } from '../support/test-app';
import { Hasher, Place, SALT } from './fixtures/pool-tasks';

/** The file pool members boot, and its module's export. */
export const POOL_MODULE = require.resolve('./fixtures/pool-tasks.module');

/**
 * worker.pool for the fixtures. Members load TypeScript through the test run's transpile cache
 * (the loader the other child processes of the tests use): each member then boots in well under
 * a second of CPU instead of transpiling lib/ again.
 */
export function poolOptions(options: Partial<PoolOptions> = {}): PoolOptions {
  return {
    module: POOL_MODULE,
    export: 'PoolTasksModule',
    preload: require.resolve('../support/cached-transpile.js'),
    ...options,
  };
}

export interface PoolApp extends TestApp {
  /** Every worker event since the app started. */
  events: WorkerEvent[];
}

/** A test app running `providers` (with Hasher and its SALT) and a pool of the fixtures. */
export async function createPoolApp(
  providers: Provider[],
  worker: WorkerOptions,
  prefix?: string,
): Promise<PoolApp> {
  const app = await createTestApp([...providers, Hasher, { provide: SALT, useValue: 'pepper' }], {
    worker,
    prefix,
  });
  const events: WorkerEvent[] = [];
  app.worker.events$.subscribe((event) => events.push(event));
  return { ...app, events };
}

/** The progress a running task reported, once it did (polls its status). */
export async function progressOf<T>(handle: TaskHandle): Promise<T> {
  for (;;) {
    const { progress } = await handle.status();
    if (progress !== undefined) return progress as T;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The lease trouble in `events`: leases lost by this worker, tasks reclaimed from a dead one. */
function leaseTrouble(events: WorkerEvent[]): WorkerEvent[] {
  return events.filter(
    (event) =>
      event.type === 'task.lease-lost' ||
      (event.type === 'leases.reclaimed' && event.reclaimed.length + event.failed.length > 0),
  );
}

/** The first `task.retrying` event of task `id`. */
function retryOf(events: WorkerEvent[], id: string): WorkerEvent | undefined {
  return events.find((event) => event.type === 'task.retrying' && event.task.id === id);
}

/** The task's result, as the fixture's handler returns it. */
export async function resultOf<T>(handle: TaskHandle, timeout = 30_000): Promise<T> {
  return (await handle.result({ timeout })) as T;
}

/**
 * Runs `task` two at a time until both members of a two-member pool answered, and returns
 * every place it ran: after a member was stopped, one of the two is its replacement.
 */
export async function placesUntilBothMembers(
  t: TestApp,
  task: string,
  key: 'pid' | 'threadId',
): Promise<Place[]> {
  const places: Place[] = [];
  while (new Set(places.map((p) => p[key])).size < 2) {
    const pair = await Promise.all([0, 1].map(() => t.queue.enqueue(task, [100])));
    places.push(...(await Promise.all(pair.map((handle) => resultOf<Place>(handle)))));
  }
  return places;
}

/** Resolves once `condition` holds (polled). */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** No lease lost or taken back, and each task ran once: SUBMITTED, RUNNING 1, SUCCEEDED 1. */
export async function expectLeasesKept(t: PoolApp, handles: TaskHandle[]): Promise<void> {
  expect(leaseTrouble(t.events)).toEqual([]);
  for (const handle of handles) {
    const history = await handle.history();
    expect(history.map((entry) => [entry.status, entry.attempt])).toEqual([
      [TaskStatus.SUBMITTED, 0],
      [TaskStatus.RUNNING, 1],
      [TaskStatus.SUCCEEDED, 1],
    ]);
  }
}

/**
 * Runs `task` (a fixture that reports its place, then never yields) with a 2 s timeout; expects
 * TaskTimeoutError and returns where it ran.
 */
export async function timedOut(t: TestApp, task: string): Promise<Place> {
  const handle = await t.queue.enqueue(task, [], { timeout: 2000 });
  const stuck = await progressOf<Place>(handle);
  const error = await failureOf(handle, 30_000);
  expect(error.remoteName).toBe(TaskTimeoutError.name);
  return stuck;
}

/** The task's first attempt died with its member (`how`), and the retry succeeded. */
export async function expectCrashRetried(
  t: PoolApp,
  handle: TaskHandle,
  how: string,
): Promise<void> {
  await expect(handle.result({ timeout: 30_000 })).resolves.toBe('second attempt');
  expect(retryOf(t.events, handle.id)).toMatchObject({
    error: { name: 'PoolMemberCrashError', message: expect.stringContaining(how) as string },
  });
}
