import { Injectable } from '@nestjs/common';
import { NonRetryableError, Task, TaskFailedError, TaskStatus, taskContext } from '../../lib';
import { TaskRouter } from '../../lib/broker/task-router';
import { RedisConnections } from '../../lib/redis/redis-connections';
import { Ledger } from '../support/ledger';
import { failureOf } from '../support/failures';
import { createTestApp, TestApp } from '../support/test-app';

const ledger = new Ledger<string>();

class PaymentDeclined extends Error {
  constructor() {
    super('card declined');
    this.name = 'PaymentDeclined';
  }
}

@Injectable()
class FlakyTasks {
  @Task({ name: 'flaky.twice', retries: 3, backoff: { type: 'constant', delay: 150 } })
  async failTwice(): Promise<string> {
    const { id, attempt } = taskContext();
    ledger.add(`${id}:${attempt}`);
    if (attempt <= 2) throw new Error(`attempt ${attempt} failed`);
    return 'third time lucky';
  }

  @Task({ name: 'flaky.always', retries: 2, backoff: { type: 'linear', delay: 100 } })
  async alwaysFail(): Promise<never> {
    throw new PaymentDeclined();
  }

  @Task({ name: 'flaky.fatal', retries: 5, backoff: 10 })
  async fatal(): Promise<never> {
    ledger.add(`fatal:${taskContext().attempt}`);
    throw new NonRetryableError('the address does not exist');
  }

  @Task({ name: 'flaky.broken-text', retries: 1, backoff: 10 })
  async brokenText(): Promise<never> {
    // Half of a surrogate pair: not valid Unicode on its own.
    throw new Error(`cut emoji ${'😀'.slice(0, 1)} in the message`);
  }

  @Task({ name: 'flaky.bad-result', retries: 3 })
  async badResult(): Promise<unknown> {
    return { when: new Date(0) };
  }

  @Task({ name: 'flaky.throws-string', retries: 0 })
  async throwsString(): Promise<never> {
    throw 'plain string';
  }
}

describe('retries and failures', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([FlakyTasks])));
  afterAll(() => t.close());

  it('retries a failing handler with its backoff until it succeeds', async () => {
    const handle = await t.queue.enqueue('flaky.twice', []);
    await expect(handle.result({ timeout: 10_000 })).resolves.toBe('third time lucky');
    expect(ledger.entries.filter((e) => e.startsWith(handle.id))).toHaveLength(3);
    const history = await handle.history();
    expect(history.map((h) => h.status)).toEqual([
      'submitted',
      'running',
      'retrying',
      'running',
      'retrying',
      'running',
      'succeeded',
    ]);
    expect(history[2].error?.message).toBe('attempt 1 failed');
    // Each retry ran no earlier than the 150 ms backoff after the failure (server clock).
    expect(history[3].at - history[2].at).toBeGreaterThanOrEqual(150);
    expect(history[5].at - history[4].at).toBeGreaterThanOrEqual(150);
  });

  it('fails after its retries with TaskFailedError carrying the remote error', async () => {
    const handle = await t.queue.enqueue('flaky.always', []);
    const error = await failureOf(handle, 10_000);
    expect(error.remoteName).toBe('PaymentDeclined');
    expect(error.remoteMessage).toBe('card declined');
    expect(error.remoteStack).toContain('PaymentDeclined: card declined');
    expect(error.attempts).toBe(3);
    const history = await handle.history();
    // Linear backoff: 100 ms after the first failure, 200 ms after the second.
    expect(history[3].at - history[2].at).toBeGreaterThanOrEqual(100);
    expect(history[5].at - history[4].at).toBeGreaterThanOrEqual(200);
    const status = await handle.status();
    expect(status.status).toBe(TaskStatus.FAILED);
    expect(status.error?.name).toBe('PaymentDeclined');
  });

  it("puts a failed task in its queue's dead-letter set", async () => {
    const handle = await t.queue.enqueue('flaky.throws-string', [], { id: 'dead-1' });
    await expect(handle.result({ timeout: 5000 })).rejects.toBeInstanceOf(TaskFailedError);
    const dead = t.app.get(TaskRouter).slotFor('default', 'dead-1').queue('default', 'dead');
    const score = await t.app.get(RedisConnections).command.zscore(dead, 'dead-1');
    expect(score).not.toBeNull();
  });

  it('fails at once on NonRetryableError, leaving its retries unused', async () => {
    const handle = await t.queue.enqueue('flaky.fatal', []);
    const error = await failureOf(handle, 5000);
    expect(error.remoteName).toBe('NonRetryableError');
    expect(error.attempts).toBe(1);
    expect((await handle.history()).map((h) => h.status)).toEqual([
      'submitted',
      'running',
      'failed',
    ]);
  });

  it('records an error whose message is not well-formed Unicode, and loses nothing', async () => {
    const handle = await t.queue.enqueue('flaky.broken-text', []);
    const error = await failureOf(handle, 5000);
    expect(error.remoteMessage).toContain('cut emoji');
    const history = await handle.history();
    expect(history.map((h) => h.status)).toEqual([
      'submitted',
      'running',
      'retrying',
      'running',
      'failed',
    ]);
    expect(history[4].error?.message).toContain('cut emoji');
  });

  it('fails at once, without retries, a handler whose result cannot be serialised', async () => {
    const handle = await t.queue.enqueue('flaky.bad-result', []);
    const error = await failureOf(handle);
    expect(error.remoteName).toBe('SerializationError');
    expect(error.remoteMessage).toContain('result.when');
    expect(error.attempts).toBe(1);
  });

  it('records a non-Error throw with a readable message', async () => {
    const handle = await t.queue.enqueue('flaky.throws-string', []);
    const error = await failureOf(handle);
    expect(error.remoteName).toBe('NonErrorThrown');
    expect(error.remoteMessage).toContain('plain string');
  });
});
