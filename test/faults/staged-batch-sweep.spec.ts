import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Task, TaskStatus } from '../../lib';
import { KEY_FAMILIES, KeyBuilder, SlotKeys, TASK_FIELDS } from '../../lib/broker/keys';
import { NewTask } from '../../lib/broker/new-task';
import type { ScriptCaller } from '../../lib/broker/queue-admin-scripts';
import { ScriptRunner } from '../../lib/broker/script-runner';
import { DeadlineWrite, StagedBatch } from '../../lib/broker/staged-batch';
import { TaskMessageBuilder } from '../../lib/messages/task-message.builder';
import { Ledger } from '../support/ledger';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/redis-server-process';
import { createTestApp, TestApp } from '../support/test-app';

const ran = new Ledger<string>();

@Injectable()
class Across {
  @Task({ name: 'alpha.echo', queue: 'alpha' })
  echo(n: number): number {
    ran.add(`alpha ${n}`);
    return n;
  }

  @Task({ name: 'beta.double', queue: 'beta' })
  double(n: number): number {
    ran.add(`beta ${n}`);
    return 2 * n;
  }
}

/** How long after staging the batch's one deadline falls (server clock). */
const DEADLINE_MS = 1_000;
const COMMAND_TIMEOUT_MS = 5_000;
const EVENTS_MAX_LEN = 10_000;

/**
 * Fault: the process writing a batch across slots (enqueueMany with tasks in two queues, in
 * the 'queue' layout) dies between two of its calls. Here the batch is written by a
 * StagedBatch whose calls are the real scripts on the test server, except that the call at which
 * the writer "dies" never returns and nothing after it runs, as in a killed process. A worker
 * started afterwards must finish the batch through its sweep: remove what was staged when no
 * commit was written, release it when one was, each task running exactly once.
 */
describe("cross-slot staged batches whose writer died ('queue' layout)", () => {
  const apps: TestApp[] = [];
  let redis: Redis;
  let runner: ScriptRunner;
  let prefix: string;
  let alpha: SlotKeys;
  let beta: SlotKeys;

  beforeEach(() => {
    ran.entries.length = 0;
    prefix = uniquePrefix();
    redis = new Redis(testRedisUrl());
    // EVALSHA on its own connection: the writer is another process than the worker.
    runner = new ScriptRunner(redis);
    const keys = new KeyBuilder(prefix, 'queue');
    alpha = keys.slot('alpha');
    beta = keys.slot('beta');
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await redis.quit();
  });

  const start = async (worker: boolean): Promise<TestApp> => {
    const app = await createTestApp([Across], {
      prefix,
      keyLayout: 'queue',
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      // A short lease: the lease keeper sweeps staged batches once their deadline is this old.
      worker: worker ? { leaseMs: 1_000 } : { enabled: false },
    });
    apps.push(app);
    return app;
  };

  /** One task in alpha (the coordinator: the first task's slot) and two staged in beta. */
  const batchTasks = (app: TestApp): NewTask[] => {
    const builder = app.app.get(TaskMessageBuilder);
    return [
      builder.build('alpha.echo', [1]),
      builder.build('beta.double', [2]),
      builder.build('beta.double', [3]),
    ];
  };

  const write: DeadlineWrite = async (slot, args) => {
    const [, ...codes] = (await runner.run(
      'taskmillEnqueue',
      [slot.routingKey],
      [slot.base, ...args],
    )) as number[];
    return codes;
  };
  const call: ScriptCaller = (command, slot, _failFast, ...args) =>
    runner.run(command, [slot.routingKey], [slot.base, ...args]);

  /** A call that never returns: the writer died as it was about to make it. */
  const dies = (died: () => void) => () => {
    died();
    return new Promise<never>(() => undefined);
  };

  /**
   * Writes `tasks` as a staged batch whose writer dies at the first call that `dyingWrite` or
   * `dyingCall` says it dies at (given the call that kills it); resolves once it died.
   */
  const writeUntilDeath = async (
    tasks: NewTask[],
    dyingWrite: (die: () => Promise<never>) => DeadlineWrite,
    dyingCall: (die: () => Promise<never>) => ScriptCaller,
  ): Promise<void> => {
    let died!: () => void;
    const writerDied = new Promise<void>((resolve) => (died = resolve));
    const batch = new StagedBatch(
      dyingWrite(dies(died)),
      dyingCall(dies(died)),
      EVENTS_MAX_LEN,
      COMMAND_TIMEOUT_MS,
    );
    void batch.enqueue(
      tasks.map((task) => ({ task })),
      await deadline(),
    );
    await writerDied;
  };

  const deadline = async (): Promise<number> => {
    const [seconds, micros] = await redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + DEADLINE_MS;
  };

  const stagedSet = (): string => `${beta.base}:${KEY_FAMILIES.staged}`;

  const stagedIn = async (slot: SlotKeys, ids: string[]): Promise<(string | null)[]> =>
    Promise.all(ids.map((id) => redis.hget(slot.task(id), TASK_FIELDS.staged)));

  it('removes the staged tasks of a batch never committed: none of its tasks runs', async () => {
    const producer = await start(false);
    const tasks = batchTasks(producer);
    const [first, ...staged] = tasks.map((task) => task.id);
    await writeUntilDeath(
      tasks,
      (die) => (slot, args) => (args[1] === 'c' ? die() : write(slot, args)),
      () => call,
    );

    // Staged in beta; nothing in alpha, and no commit mark.
    const marks = await stagedIn(beta, staged);
    expect(marks[0]).toEqual(expect.any(String));
    expect(marks[1]).toBe(marks[0]);
    expect(await redis.exists(alpha.task(first))).toBe(0);
    expect(await redis.exists(alpha.batch(marks[0] as string))).toBe(0);

    await start(true);
    await waitFor(
      'for the sweep to remove the staged tasks',
      async () =>
        (await redis.exists(...staged.map((id) => beta.task(id)))) === 0 &&
        (await redis.zcard(stagedSet())) === 0,
      15_000,
    );
    expect(await redis.hlen(`${beta.base}:${KEY_FAMILIES.stagedBatch}`)).toBe(0);
    const statuses = await Promise.all(
      tasks.map(async (task) => (await producer.queue.handle(task.id).status()).status),
    );
    expect(statuses).toEqual([TaskStatus.UNKNOWN, TaskStatus.UNKNOWN, TaskStatus.UNKNOWN]);
    expect(ran.entries).toEqual([]);
  });

  it('releases the staged tasks of a committed batch left unreleased: each runs once', async () => {
    const producer = await start(false);
    const tasks = batchTasks(producer);
    const [, ...staged] = tasks.map((task) => task.id);
    await writeUntilDeath(
      tasks,
      () => write,
      (die) =>
        (command, slot, failFast, ...args) =>
          command === 'taskmillReleaseStaged' ? die() : call(command, slot, failFast, ...args),
    );

    // Committed in alpha (its mark written), still staged in beta.
    const [batchId] = await stagedIn(beta, staged);
    expect(batchId).toEqual(expect.any(String));
    expect(await redis.exists(alpha.batch(batchId as string))).toBe(1);

    const worker = await start(true);
    const results = await Promise.all(
      tasks.map((task) => worker.queue.handle(task.id).result({ timeout: 15_000 })),
    );
    expect(results).toEqual([1, 4, 6]);
    // Released once: a second release (the writer's own, had it lived) changes nothing.
    expect(await call('taskmillReleaseStaged', beta, true, 'commit', batchId as string)).toBe(0);
    expect(await stagedIn(beta, staged)).toEqual([null, null]);
    expect(await redis.zcard(stagedSet())).toBe(0);
    expect([...ran.entries].sort()).toEqual(['alpha 1', 'beta 2', 'beta 3']);
  });
});
