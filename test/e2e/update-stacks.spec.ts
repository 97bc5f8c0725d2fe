import { Injectable } from '@nestjs/common';
import { filter, lastValueFrom, toArray } from 'rxjs';
import { Task, TaskFailedError, TaskStatus } from '../../lib';
import { catchInvalidOptions } from '../support/expect-invalid';
import { resolveModuleOptions } from '../../lib/options/module-options.validator';
import { QueueModuleOptions } from '../../lib/options/module.options';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class Breaks {
  @Task({ name: 'stacks.break', retries: 1, backoff: 10 })
  async break(): Promise<never> {
    throw new Error('disk full');
  }
}

/** Runs one failing task to the end, collecting its status$ and its queue's events$. */
async function failOnce(app: TestApp) {
  const events = lastValueFrom(
    app.queue.events$({ queue: 'default' }).pipe(
      filter((update) => update.task === 'stacks.break'),
      filter(
        (update) => update.status === TaskStatus.FAILED || update.status === TaskStatus.RETRYING,
      ),
      toArray(),
    ),
  );
  const handle = await app.queue.enqueue('stacks.break', []);
  const updates = await lastValueFrom(handle.status$.pipe(toArray()));
  const failure = await handle.result({ timeout: 5000 }).catch((error: unknown) => error);
  return { handle, updates, failure, events };
}

describe('error stacks in update streams', () => {
  it('leaves stacks out of status$ and events$ by default, and keeps them in status() and result()', async () => {
    const app = await createTestApp([Breaks]);
    const { handle, updates, failure, events } = await failOnce(app);
    const failures = updates.filter((update) => update.error);
    expect(failures.map((update) => update.status)).toEqual([
      TaskStatus.RETRYING,
      TaskStatus.FAILED,
    ]);
    for (const update of failures) {
      expect(update.error).toEqual({ name: 'Error', message: 'disk full' });
    }
    expect((await handle.status()).error?.stack).toContain('disk full');
    expect(failure).toBeInstanceOf(TaskFailedError);
    expect((failure as TaskFailedError).remoteStack).toContain('disk full');
    await app.close();
    const seen = await events;
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const update of seen)
      expect(update.error).toEqual({ name: 'Error', message: 'disk full' });
  });

  it('keeps them in the streams with stacksInUpdates: true', async () => {
    const app = await createTestApp([Breaks], { stacksInUpdates: true });
    const { updates, events } = await failOnce(app);
    const final = updates[updates.length - 1];
    expect(final.status).toBe(TaskStatus.FAILED);
    expect(final.error?.stack).toContain('disk full');
    await app.close();
    for (const update of await events) expect(update.error?.stack).toContain('disk full');
  });

  it('refuses a stacksInUpdates that is not a boolean', () => {
    const error = catchInvalidOptions(() =>
      resolveModuleOptions({ stacksInUpdates: 'yes' } as unknown as QueueModuleOptions),
    );
    expect(error.field).toBe('stacksInUpdates');
  });
});
