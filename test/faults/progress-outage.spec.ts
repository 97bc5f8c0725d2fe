import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom } from 'rxjs';
import {
  ConnectionError,
  SerializationError,
  StatusUpdate,
  Task,
  taskContext,
  TaskStatus,
} from '../../lib';
import { Gate } from '../support/gate';
import { collect } from '../support/observables';
import { uniquePrefix } from '../support/redis';
import { RestartableRedis } from '../support/restartable-redis';
import { createTestApp, TestApp } from '../support/test-app';

/** The handler reached the point where Redis must freeze. */
const started = new Gate();
/** Redis is frozen: the handler reports progress. */
const frozen = new Gate();
/** The handler's progress calls during the freeze have all returned. */
const reported = new Gate();
/** The test saw what it waited for: the handler may end. */
const finish = new Gate();
const outcomes: { value: unknown; error?: unknown }[] = [];

async function report(value: unknown, options?: { confirm: boolean }): Promise<void> {
  try {
    await taskContext().progress(value, options);
    outcomes.push({ value });
  } catch (error) {
    outcomes.push({ value, error });
  }
}

@Injectable()
class Reporting {
  @Task({ name: 'progress.buffered', queue: 'progress' })
  async buffered(): Promise<string> {
    await taskContext().progress(1);
    started.release();
    await frozen.wait();
    try {
      // Awaited as in the README's quick start: a throw here would fail the run.
      await taskContext().progress(2); // waits for commandTimeoutMs, then is kept for later
      await taskContext().progress(3); // replaces 2 at once
      await report(10n); // the serializer refuses it: the caller's bug, not a blip
    } finally {
      reported.release();
    }
    await finish.wait();
    return 'done';
  }

  @Task({ name: 'progress.confirmed', queue: 'progress' })
  async confirmed(): Promise<string> {
    started.release();
    await frozen.wait();
    await report(5, { confirm: true });
    reported.release();
    return 'done';
  }
}

/** taskContext().progress() while the private redis-server is frozen (SIGSTOP). */
describe('progress while Redis does not answer', () => {
  let redis: RestartableRedis;
  let app: TestApp;
  beforeAll(async () => (redis = await RestartableRedis.start()));
  beforeEach(async () => {
    for (const gate of [started, frozen, reported, finish]) gate.reset();
    outcomes.length = 0;
    app = await createTestApp([Reporting], {
      connection: redis.url,
      prefix: uniquePrefix(),
      commandTimeoutMs: 500,
      worker: { leaseMs: 10_000 },
    });
  });
  afterEach(async () => {
    redis.thaw();
    await app.close();
  });
  afterAll(() => redis.stop());

  it('costs the run nothing: the latest value is written once Redis answers again', async () => {
    const handle = await app.queue.enqueue('progress.buffered', [], { queue: 'progress' });
    const updates = collect(handle.status$);
    await started.wait();
    redis.freeze();
    frozen.release();
    await reported.wait();
    redis.thaw();
    // The value kept during the freeze lands, while the run is still on.
    await firstValueFrom(handle.status$.pipe(filter((update) => update.progress === 3)));
    finish.release();

    await expect(handle.result({ timeout: 10_000 })).resolves.toBe('done');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0].error).toBeInstanceOf(SerializationError);
    const history = await handle.history();
    expect(history.map((entry) => [entry.status, entry.attempt])).toEqual([
      [TaskStatus.SUBMITTED, 0],
      [TaskStatus.RUNNING, 1],
      [TaskStatus.SUCCEEDED, 1],
    ]);
    // 2 (its timed-out call ran at the thaw) came before 3, and nothing older came after 3.
    const progress = (await updates)
      .filter((update: StatusUpdate) => update.progress !== undefined)
      .map((update) => update.progress);
    expect(progress[progress.length - 1]).toBe(3);
    expect(progress.filter((value) => value === 3)).toHaveLength(1);
  }, 30_000);

  it('tells a handler that asked to be told (confirm)', async () => {
    const handle = await app.queue.enqueue('progress.confirmed', [], { queue: 'progress' });
    await started.wait();
    redis.freeze();
    frozen.release();
    await reported.wait();
    redis.thaw();
    await expect(handle.result({ timeout: 10_000 })).resolves.toBe('done');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0].error).toBeInstanceOf(ConnectionError);
  }, 30_000);
});
