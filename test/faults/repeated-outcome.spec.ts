import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Task, WorkerEvent } from '../../lib';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { createTestApp } from '../support/test-app';

let finish = () => undefined as void;
const finishing = new Promise<void>((resolve) => (finish = resolve));
let started = () => undefined as void;
const running = new Promise<void>((resolve) => (started = resolve));

@Injectable()
class Held {
  @Task({ name: 'held.work', queue: 'held' })
  async work(): Promise<string> {
    started();
    await finishing;
    return 'done';
  }
}

/**
 * An outcome write that times out on the client while Redis, merely slow (paused here), runs it
 * later: the worker writes it again, and must report what the first write did.
 */
describe('an outcome written again after a timed-out call that Redis ran anyway', () => {
  it('is reported as the outcome it is, not as a lost lease', async () => {
    const admin = new Redis(testRedisUrl());
    // Concurrency 2: the idle slot's claim came back empty and the worker sleeps, so the
    // outcome goes alone in a call that fails fast after commandTimeoutMs.
    const worker = await createTestApp([Held], {
      prefix: uniquePrefix(),
      commandTimeoutMs: 200,
      worker: { concurrency: 2 },
    });
    try {
      const events: WorkerEvent[] = [];
      worker.worker.events$.subscribe((event) => events.push(event));
      const handle = await worker.queue.enqueue('held.work', [], { queue: 'held' });
      await running;
      // Redis holds every client's commands for a while: the outcome's call times out (and is
      // sent again) but runs when the pause ends.
      await admin.client('PAUSE', 1000, 'ALL');
      finish();
      const reported = () =>
        events.some((e) => e.type === 'task.succeeded' || e.type === 'task.lease-lost');
      while (!reported()) await new Promise((resolve) => setTimeout(resolve, 20));
      const types = events.map((event) => event.type);
      expect(types).toContain('task.succeeded');
      expect(types).not.toContain('task.lease-lost');
      await expect(handle.result({ timeout: 10_000 })).resolves.toBe('done');
    } finally {
      admin.disconnect();
      await worker.close();
    }
  }, 30_000);
});
