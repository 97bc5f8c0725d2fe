import { Injectable } from '@nestjs/common';
import { InvalidOptionsError, Task, TaskStatus } from '../../lib';
import { IdleTimeoutError, waitUntilIdle } from '../../lib/testing';
import { Gate } from '../support/gate';
import { Ledger } from '../support/ledger';
import { createTestApp, TestApp } from '../support/test-app';

const done = new Ledger<string>();
const gate = new Gate();

@Injectable()
class Work {
  @Task({ name: 'idle.slow', queue: 'idle' })
  async slow(label: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    done.add(label);
  }

  @Task({ name: 'idle.held', queue: 'held' })
  async held(): Promise<void> {
    await gate.wait();
  }
}

describe('waitUntilIdle (taskmill/testing)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([Work])));
  afterAll(() => t.close());

  it('resolves once every task of the app’s queues ran, delayed ones included', async () => {
    const handles = await Promise.all([
      ...['a', 'b', 'c'].map((label) => t.queue.enqueue('idle.slow', [label])),
      t.queue.enqueue('idle.slow', ['later'], { delay: 300 }),
    ]);
    await waitUntilIdle(t.app, { queues: ['idle'] });
    expect(new Set(done.entries)).toEqual(new Set(['a', 'b', 'c', 'later']));
    for (const handle of handles) {
      expect((await handle.status()).status).toBe(TaskStatus.SUCCEEDED);
    }
  });

  it('gives up with IdleTimeoutError naming what is still running', async () => {
    const handle = await t.queue.enqueue('idle.held', []);
    try {
      const error = (await waitUntilIdle(t.app, { timeout: 300 }).catch((e: unknown) => e)) as
        IdleTimeoutError | undefined;
      expect(error).toBeInstanceOf(IdleTimeoutError);
      expect(error?.busy).toEqual([
        expect.objectContaining({ queue: 'held', waiting: expect.any(Number) }),
      ]);
      expect(error?.message).toContain('"held"');
    } finally {
      gate.release();
    }
    await handle.result({ timeout: 5_000 });
    await waitUntilIdle(t.app);
  });

  it('refuses bad options with InvalidOptionsError', async () => {
    for (const options of [{ timeout: -1 }, { queues: 'idle' }, { queues: [] }, { wait: 1 }]) {
      await expect(waitUntilIdle(t.app, options as never)).rejects.toBeInstanceOf(
        InvalidOptionsError,
      );
    }
  });
});
