import { Injectable } from '@nestjs/common';
import { InvalidOptionsError, NonRetryableError, Task, TaskStatus } from '../../lib';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class InspectedTasks {
  @Task({ name: 'inspect.sum', queue: 'inspect' })
  sum(a: number, b: number): { sum: number } {
    return { sum: a + b };
  }

  @Task({ name: 'inspect.fail', queue: 'inspect' })
  fail(reason: string): never {
    throw new NonRetryableError(reason);
  }
}

describe('queue.inspect(id)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp([InspectedTasks]);
  });
  afterAll(() => app.close());

  it("reads a finished task's arguments, metadata, priority, result and history", async () => {
    const handle = await app.queue.enqueue('inspect.sum', [2, 3], {
      priority: 4,
      metadata: { tenant: 'acme' },
    });
    await handle.result({ timeout: 10_000 });
    const task = await app.queue.inspect(handle.id);
    expect(task).toMatchObject({
      id: handle.id,
      task: 'inspect.sum',
      queue: 'inspect',
      status: TaskStatus.SUCCEEDED,
      attempt: 1,
      priority: 4,
      args: [2, 3],
      metadata: { tenant: 'acme' },
      result: { sum: 5 },
      links: {},
    });
    expect(task?.enqueuedAt).toBeGreaterThan(0);
    expect(task?.history.map((entry) => entry.status)).toEqual([
      TaskStatus.SUBMITTED,
      TaskStatus.RUNNING,
      TaskStatus.SUCCEEDED,
    ]);
  });

  it("reads a failed task's error with its stack", async () => {
    const handle = await app.queue.enqueue('inspect.fail', ['no stock']);
    await expect(handle.result({ timeout: 10_000 })).rejects.toThrow('no stock');
    const task = await app.queue.inspect(handle.id, 'inspect');
    expect(task?.status).toBe(TaskStatus.FAILED);
    expect(task?.lastError).toMatchObject({ name: 'NonRetryableError', message: 'no stock' });
    expect(task?.lastError?.stack).toContain('InspectedTasks.fail');
    expect(task?.result).toBeUndefined();
  });

  it("names a chain step's neighbours and a chord part's callback", async () => {
    const chain = await app.queue.chain([
      { task: 'idle.first', options: { queue: 'inspect-idle' } },
      { task: 'idle.second', options: { queue: 'inspect-idle' } },
    ]);
    const [first, second] = chain.steps;
    expect((await app.queue.inspect(first.id))?.links).toEqual({ next: second.id });
    expect((await app.queue.inspect(second.id))?.links).toEqual({ previous: first.id });

    const chord = await app.queue.chord(
      [0, 1].map((n) => ({ task: 'idle.part', args: [n], options: { queue: 'inspect-idle' } })),
      { task: 'idle.join', options: { queue: 'inspect-idle' } },
    );
    expect((await app.queue.inspect(chord.parts[1].id))?.links).toEqual({
      chord: chord.callback.id,
      chordIndex: 1,
    });
    expect((await app.queue.inspect(chord.callback.id))?.links).toEqual({
      parts: 2,
      pendingParts: 2,
    });
  });

  it('resolves undefined for a task without a record, and refuses a malformed id', async () => {
    await expect(app.queue.inspect('no-such-task', 'inspect')).resolves.toBeUndefined();
    await expect(app.queue.inspect('', 'inspect')).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(app.queue.inspect('a b', 'inspect')).rejects.toThrow('whitespace');
  });
});
