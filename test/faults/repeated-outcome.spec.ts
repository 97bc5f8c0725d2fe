import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { filter, firstValueFrom } from 'rxjs';
import { Task, WorkerEvent } from '../../lib';
import { Gate } from '../support/gate';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { createTestApp } from '../support/test-app';

const running = new Gate();
const finishing = new Gate();

@Injectable()
class Held {
  @Task({ name: 'held.work', queue: 'held' })
  async work(): Promise<string> {
    running.release();
    await finishing.wait();
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
      // The run's one outcome report, whichever it is.
      const reported = firstValueFrom(
        worker.worker.events$.pipe(
          filter((e) => e.type === 'task.succeeded' || e.type === 'task.lease-lost'),
        ),
      );
      const handle = await worker.queue.enqueue('held.work', [], { queue: 'held' });
      await running.wait();
      // Redis holds every client's commands for a while: the outcome's call times out (and is
      // sent again) but runs when the pause ends.
      await admin.client('PAUSE', 1000, 'ALL');
      finishing.release();
      await reported;
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
