import { Injectable } from '@nestjs/common';
import {
  MessageAlreadyExistsError,
  NonRetryableError,
  Task,
  TaskCancelledError,
  TaskStatus,
  taskContext,
} from '../../lib';
import { TaskRouter } from '../../lib/broker/task-router';
import { failureOf } from '../support/failures';
import { Gate, running } from '../support/gate';
import { Ledger } from '../support/ledger';
import { rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const ran = new Ledger<string>();
const gate = new Gate();

/** Tasks in three queues, each queue in a slot of its own in the 'queue' layout. */
@Injectable()
class Spread {
  @Task({ name: 'a.start', queue: 'alpha' })
  async start(n: number): Promise<number> {
    ran.add(`start ${n}`);
    return n;
  }

  @Task({ name: 'a.hold', queue: 'alpha' })
  async hold(): Promise<string> {
    ran.add('hold');
    await gate.wait();
    return 'held';
  }

  @Task({ name: 'b.times', queue: 'beta' })
  async times(factor: number): Promise<number> {
    const previous = taskContext().previous as number;
    ran.add(`times ${factor} prev=${previous}`);
    return previous * factor;
  }

  @Task({ name: 'b.square', queue: 'beta' })
  async square(n: number): Promise<number> {
    if (n < 0) throw new NonRetryableError(`cannot square ${n}`);
    ran.add(`square ${n}`);
    return n * n;
  }

  @Task({ name: 'b.fail', queue: 'beta' })
  async fail(): Promise<never> {
    ran.add('fail');
    throw new NonRetryableError('beta broke');
  }

  @Task({ name: 'c.shout', queue: 'gamma' })
  async shout(): Promise<string> {
    const { previous, previousError } = taskContext();
    ran.add(`shout prev=${JSON.stringify(previous)} err=${previousError?.message ?? '-'}`);
    return `${String(previous ?? previousError?.message)}!`;
  }

  @Task({ name: 'c.sum', queue: 'gamma' })
  async sum(label: string): Promise<string> {
    const parts = taskContext().previous as number[];
    ran.add(`sum ${JSON.stringify(parts)}`);
    return `${label}: ${parts.reduce((a, b) => a + b, 0)}`;
  }
}

describe("workflows across slots ('queue' layout, steps and parts in different queues)", () => {
  let app: TestApp;
  beforeEach(async () => {
    ran.entries.length = 0;
    gate.reset();
    app = await createTestApp([Spread], { keyLayout: 'queue' });
  });
  afterEach(async () => {
    gate.release();
    await app.close();
  });

  const slotOf = (queue: string, id: string) => app.app.get(TaskRouter).slotFor(queue, id).base;

  it('puts the three queues in three slots', () => {
    const bases = ['alpha', 'beta', 'gamma'].map((queue) => slotOf(queue, 'x'));
    expect(new Set(bases).size).toBe(3);
  });

  it('runs a chain whose steps are in three queues, each with the previous result', async () => {
    const chain = await app.queue.chain<string>([
      { task: 'a.start', args: [2] },
      { task: 'b.times', args: [10] },
      { task: 'c.shout' },
    ]);
    const queues = ['alpha', 'beta', 'gamma'];
    expect(new Set(chain.steps.map((step, i) => slotOf(queues[i], step.id))).size).toBe(3);
    await expect(chain.result({ timeout: 5000 })).resolves.toBe('20!');
    expect(ran.entries).toEqual(['start 2', 'times 10 prev=2', 'shout prev=20 err=-']);
    // Every handoff was delivered and acknowledged: no outbox entry is left in any slot.
    const redis = rawRedis();
    const left = await Promise.all(
      queues.map((queue) =>
        redis.zcard(app.app.get(TaskRouter).slotFor(queue, chain.steps[0].id).outbox()),
      ),
    );
    await redis.quit();
    expect(left).toEqual([0, 0, 0]);
  });

  it('finds a chain across slots again from its id, each step by its own id', async () => {
    const chain = await app.queue.chain<string>([
      { task: 'a.start', args: [3] },
      { task: 'b.times', args: [2] },
      { task: 'c.shout' },
    ]);
    const again = await app.queue.findChain<string>(chain.id);
    expect(again.steps.map((step) => step.id)).toEqual(chain.steps.map((step) => step.id));
    await expect(again.result({ timeout: 5000 })).resolves.toBe('6!');
    // A step's id alone finds it (its own slot's tag).
    expect((await app.queue.handle(chain.steps[1].id).status()).status).toBe(TaskStatus.SUCCEEDED);
  });

  it('stops the rest of the chain in another slot when a step fails', async () => {
    const chain = await app.queue.chain([
      { task: 'a.start', args: [1] },
      { task: 'b.fail' },
      { task: 'c.shout' },
      { task: 'a.start', args: [9] },
    ]);
    const failure = await failureOf(chain.steps[2]);
    expect(failure.remoteName).toBe('ChainStoppedError');
    expect(failure.message).toContain('beta broke');
    // Step 3 is in a third slot: the stop reaches it through one more handoff, so wait for it.
    expect((await failureOf(chain.steps[3])).remoteName).toBe('ChainStoppedError');
    expect((await chain.steps[3].status()).status).toBe(TaskStatus.FAILED);
    expect(ran.entries).toEqual(['start 1', 'fail']);
  });

  it('goes on across slots past a failed step with continueOnFailure', async () => {
    const chain = await app.queue.chain<string>([
      { task: 'b.fail', continueOnFailure: true },
      { task: 'c.shout' },
    ]);
    await expect(chain.result({ timeout: 5000 })).resolves.toBe('beta broke!');
  });

  it('cancels the later steps, in other slots, with the waiting step', async () => {
    const chain = await app.queue.chain([
      { task: 'a.hold' },
      { task: 'a.start', args: [1] },
      { task: 'b.times', args: [2] },
      { task: 'c.shout' },
    ]);
    await running(chain.steps[0]);
    expect(await chain.steps[1].cancel()).toBe(true);
    // Cancel returns once the handoffs to the other slots were applied.
    expect((await chain.steps[2].status()).status).toBe(TaskStatus.CANCELLED);
    expect((await chain.steps[3].status()).status).toBe(TaskStatus.CANCELLED);
    gate.release();
    await expect(chain.steps[0].result({ timeout: 5000 })).resolves.toBe('held');
    await expect(chain.result({ timeout: 5000 })).rejects.toBeInstanceOf(TaskCancelledError);
    expect(ran.entries).toEqual(['hold']);
  });

  it('joins a chord whose parts are in two queues and whose callback is in a third', async () => {
    const chord = await app.queue.chord<string>(
      [
        { task: 'b.square', args: [1] },
        { task: 'a.start', args: [5] },
        { task: 'b.square', args: [3] },
      ],
      { task: 'c.sum', args: ['total'] },
    );
    await expect(chord.result({ timeout: 5000 })).resolves.toBe('total: 15');
    expect(ran.entries.filter((entry) => entry.startsWith('sum'))).toEqual(['sum [1,5,9]']);
    const again = await app.queue.findChord(chord.id);
    expect(again.parts.map((part) => part.id)).toEqual(chord.parts.map((part) => part.id));
  });

  it('fails the callback in another slot when a part fails', async () => {
    const chord = await app.queue.chord(
      [
        { task: 'b.square', args: [-2] },
        { task: 'a.start', args: [1] },
      ],
      { task: 'c.sum', args: ['never'] },
    );
    const failure = await failureOf(chord.callback);
    expect(failure.remoteName).toBe('ChordPartFailedError');
    expect(failure.message).toContain('cannot square -2');
    expect(ran.entries.some((entry) => entry.startsWith('sum'))).toBe(false);
  });

  it('writes an enqueueMany across queues all at once, and a group collects it', async () => {
    const handles = await app.queue.enqueueMany([
      { task: 'a.start', args: [1] },
      { task: 'b.square', args: [4] },
      { task: 'a.start', args: [2] },
    ]);
    await expect(Promise.all(handles.map((h) => h.result({ timeout: 5000 })))).resolves.toEqual([
      1, 16, 2,
    ]);
    const group = await app.queue.group([
      { task: 'b.square', args: [2] },
      { task: 'a.start', args: [7] },
    ]);
    await expect(group.results({ timeout: 5000 })).resolves.toEqual([4, 7]);
  });

  it('writes none of an enqueueMany across queues when one id is taken', async () => {
    await app.queue.enqueue('b.square', [1], { id: 'taken-id' });
    await expect(
      app.queue.enqueueMany([
        { task: 'a.start', args: [1], options: { id: 'fresh-alpha' } },
        { task: 'b.square', args: [2], options: { id: 'taken-id' } },
        { task: 'c.shout', options: { id: 'fresh-gamma' } },
      ]),
    ).rejects.toBeInstanceOf(MessageAlreadyExistsError);
    const redis = rawRedis();
    const router = app.app.get(TaskRouter);
    const exist = await Promise.all([
      redis.exists(router.slotFor('alpha', 'fresh-alpha').task('fresh-alpha')),
      redis.exists(router.slotFor('gamma', 'fresh-gamma').task('fresh-gamma')),
    ]);
    await redis.quit();
    expect(exist).toEqual([0, 0]);
  });
});
