import { Injectable } from '@nestjs/common';
import {
  InvalidOptionsError,
  NonRetryableError,
  Task,
  TaskCancelledError,
  TaskStatus,
  taskContext,
} from '../../lib';
import { newTask, testBroker } from '../support/broker';
import { failureOf } from '../support/failures';
import { Gate } from '../support/gate';
import { Ledger } from '../support/ledger';
import { collect } from '../support/observables';
import { dataKeysOf, rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const ran = new Ledger<string>();
const gate = new Gate();

@Injectable()
class Steps {
  @Task({ name: 'chain.start', queue: 'chains' })
  async start(n: number): Promise<number> {
    ran.add(`start ${n} prev=${JSON.stringify(taskContext().previous)}`);
    return n;
  }

  @Task({ name: 'chain.times', queue: 'chains' })
  async times(factor: number): Promise<number> {
    const previous = taskContext().previous as number;
    ran.add(`times ${factor} prev=${previous}`);
    return previous * factor;
  }

  @Task({ name: 'chain.shout', queue: 'chains' })
  async shout(): Promise<string> {
    const { previous, previousError } = taskContext();
    ran.add(`shout prev=${JSON.stringify(previous)} err=${previousError?.message ?? '-'}`);
    return `${String(previous ?? previousError?.message)}!`;
  }

  @Task({ name: 'chain.fail', queue: 'chains' })
  async fail(): Promise<never> {
    ran.add('fail');
    throw new NonRetryableError('step two broke');
  }

  @Task({ name: 'chain.wait', queue: 'chains' })
  async wait(): Promise<string> {
    ran.add('wait');
    await gate.wait();
    return 'waited';
  }
}

describe('chains', () => {
  let app: TestApp;
  beforeEach(async () => {
    ran.entries.length = 0;
    gate.reset();
    app = await createTestApp([Steps]);
  });
  afterEach(async () => {
    gate.release();
    await app.close();
  });

  it('runs steps in order, each with the previous result, and resolves with the last one', async () => {
    const chain = await app.queue.chain<string>([
      { task: 'chain.start', args: [2] },
      { task: 'chain.times', args: [10] },
      { task: 'chain.shout' },
    ]);
    expect(chain.steps.map((step) => step.id)).toEqual([1, 2, 3].map((i) => `${chain.id}-${i}`));
    const updates = collect(chain.status$);
    await expect(chain.result({ timeout: 5000 })).resolves.toBe('20!');
    expect(ran.entries).toEqual([
      'start 2 prev=undefined',
      'times 10 prev=2',
      'shout prev=20 err=-',
    ]);
    // status$ reports each step in turn, each to SUCCEEDED.
    const seen = (await updates).map((update) => `${update.id.slice(-1)} ${update.status}`);
    expect(seen.filter((line) => line.endsWith(TaskStatus.SUCCEEDED))).toEqual([
      `1 ${TaskStatus.SUCCEEDED}`,
      `2 ${TaskStatus.SUCCEEDED}`,
      `3 ${TaskStatus.SUCCEEDED}`,
    ]);
    expect(seen.indexOf(`2 ${TaskStatus.RUNNING}`)).toBeGreaterThan(
      seen.indexOf(`1 ${TaskStatus.SUCCEEDED}`),
    );
  });

  it('stops at a failed step: later steps never run and say which step failed', async () => {
    const chain = await app.queue.chain([
      { task: 'chain.start', args: [1] },
      { task: 'chain.fail' },
      { task: 'chain.shout' },
    ]);
    const failure = await failureOf(chain.steps[2]);
    expect(failure.remoteName).toBe('ChainStoppedError');
    expect(failure.remoteMessage).toContain(`chain.fail, task ${chain.steps[1].id}) failed`);
    expect(failure.remoteMessage).toContain('step two broke');
    await expect(chain.result()).rejects.toThrow(/ChainStoppedError|did not run/);
    expect(ran.entries).toEqual(['start 1 prev=undefined', 'fail']);
    // The stopped step is not a dead letter: it never ran.
    expect((await app.queue.deadLetters('chains')).map((dead) => dead.id)).toEqual([
      chain.steps[1].id,
    ]);
  });

  it('goes on past a failed step with continueOnFailure, handing over the error', async () => {
    const chain = await app.queue.chain<string>([
      { task: 'chain.fail', continueOnFailure: true },
      { task: 'chain.shout' },
    ]);
    await expect(chain.result({ timeout: 5000 })).resolves.toBe('step two broke!');
    expect(ran.entries).toEqual(['fail', 'shout prev=undefined err=step two broke']);
  });

  it('writes every step at once; cancel() stops the running step and the rest', async () => {
    const chain = await app.queue.chain([
      { task: 'chain.wait' },
      { task: 'chain.start', args: [5] },
      { task: 'chain.shout' },
    ]);
    expect((await chain.steps[2].status()).status).toBe(TaskStatus.SUBMITTED);
    await ran.until(1);
    expect(await chain.cancel()).toBe(true);
    await expect(chain.steps[0].result({ timeout: 5000 })).rejects.toBeInstanceOf(
      TaskCancelledError,
    );
    await expect(chain.result({ timeout: 5000 })).rejects.toBeInstanceOf(TaskCancelledError);
    expect((await chain.steps[1].status()).status).toBe(TaskStatus.CANCELLED);
    gate.release();
    expect(ran.entries).toEqual(['wait']);
  });

  it('refuses bad chains before writing anything', async () => {
    const redis = rawRedis();
    const before = await dataKeysOf(redis, app.prefix);
    const bad: unknown[] = [
      [],
      'chain.start',
      [{ task: 'chain.start' }, { task: 'chain.shout', options: { delay: 100 } }],
      [{ task: 'chain.start', options: { id: 'mine' } }],
      [{ task: 'chain.start', options: { unique: true } }],
      [{ task: 'chain.start', continueOnFailure: 'yes' }],
      [{ task: 'bad name{}' }],
      [null],
    ];
    for (const steps of bad) {
      await expect(app.queue.chain(steps as never)).rejects.toBeInstanceOf(InvalidOptionsError);
    }
    expect(await dataKeysOf(redis, app.prefix)).toEqual(before);
    redis.disconnect();
  });
});

describe('chains and the integrity scanner', () => {
  it('leaves parked steps alone', async () => {
    const { broker, redis } = testBroker();
    const steps = ['c-1', 'c-2'].map((id) => ({
      task: newTask(broker, id, 'q'),
      continueOnFailure: false,
    }));
    expect(await broker.enqueueChain(steps)).toBe(true);
    for (;;) {
      const page = await broker.scanIntegrity('t', 10_000, 1000);
      expect(page?.failed).toEqual([]);
      if (page?.cursor === '0') break;
    }
    redis.disconnect();
  });
});

describe('chains and queue control', () => {
  it('drain() cancels the rest of a chain whose waiting step it cancels', async () => {
    const app = await createTestApp([Steps], { worker: { enabled: false } });
    const chain = await app.queue.chain([
      { task: 'chain.start', args: [1] },
      { task: 'chain.shout' },
    ]);
    expect(await app.queue.drain('chains')).toBe(1);
    expect((await chain.steps[1].status()).status).toBe(TaskStatus.CANCELLED);
    await app.close();
  });
});
