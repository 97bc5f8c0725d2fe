import { Injectable } from '@nestjs/common';
import {
  InvalidOptionsError,
  MessageAlreadyExistsError,
  NonRetryableError,
  Task,
  TaskStatus,
  taskContext,
} from '../../lib';
import { Ledger } from '../support/ledger';
import { dataKeysOf, rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const runs = new Ledger<string>();
let release: () => void = () => undefined;
let gate = Promise.resolve();

@Injectable()
class Sync {
  @Task({ name: 'user.sync', queue: 'unique' })
  async sync(userId: string): Promise<string> {
    runs.add(`${userId} ${taskContext().id}`);
    await gate;
    return `synced ${userId}`;
  }

  @Task({ name: 'user.broken', queue: 'unique', retries: 0 })
  async broken(): Promise<never> {
    throw new NonRetryableError('always fails');
  }
}

/** Holds every run of user.sync until `open()` is called. */
function closeGate(): () => void {
  gate = new Promise<void>((resolve) => (release = resolve));
  return () => release();
}

describe('unique tasks', () => {
  let app: TestApp;
  beforeEach(async () => {
    runs.entries.length = 0;
    gate = Promise.resolve();
    app = await createTestApp([Sync]);
  });
  afterEach(async () => {
    release();
    await app.close();
  });

  it('refuses a duplicate while the first waits or runs, and frees the id once it finished', async () => {
    const open = closeGate();
    const first = await app.queue.enqueue('user.sync', ['u1'], { unique: true });
    const other = await app.queue.enqueue('user.sync', ['u2'], { unique: true });
    expect(other.id).not.toBe(first.id);
    await runs.until(2);
    await expect(app.queue.enqueue('user.sync', ['u1'], { unique: true })).rejects.toBeInstanceOf(
      MessageAlreadyExistsError,
    );
    open();
    await expect(first.result({ timeout: 5000 })).resolves.toBe('synced u1');

    const again = await app.queue.enqueue('user.sync', ['u1'], { unique: true });
    expect(again.id).toBe(first.id);
    await expect(again.result({ timeout: 5000 })).resolves.toBe('synced u1');
    expect(runs.entries.filter((entry) => entry.startsWith('u1 '))).toHaveLength(2);
  });

  it('runs once under 20 concurrent duplicate enqueues', async () => {
    const open = closeGate();
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, () => app.queue.enqueue('user.sync', ['u3'], { unique: true })),
    );
    const written = attempts.filter((attempt) => attempt.status === 'fulfilled');
    const refused = attempts.filter((attempt) => attempt.status === 'rejected');
    expect(written).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const attempt of refused) {
      expect((attempt as PromiseRejectedResult).reason).toBeInstanceOf(MessageAlreadyExistsError);
    }
    open();
    const handles = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.queue.enqueue('user.sync', ['u4'], {
          unique: true,
          onDuplicate: 'return-existing',
        }),
      ),
    );
    expect(new Set(handles.map((handle) => handle.id)).size).toBe(1);
    await expect(handles[7].result({ timeout: 5000 })).resolves.toBe('synced u4');
    await (
      written[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof app.queue.enqueue>>>
    ).value.result({ timeout: 5000 });
    expect(runs.entries.filter((entry) => entry.startsWith('u3 '))).toHaveLength(1);
    expect(runs.entries.filter((entry) => entry.startsWith('u4 '))).toHaveLength(1);
  });

  it('keeps the id taken for uniqueFor after the task finished', async () => {
    const first = await app.queue.enqueue('user.sync', ['u5'], { unique: true, uniqueFor: 400 });
    await first.result({ timeout: 5000 });
    const existing = await app.queue.enqueue('user.sync', ['u5'], {
      unique: true,
      uniqueFor: 400,
      onDuplicate: 'return-existing',
    });
    expect(existing.id).toBe(first.id);
    expect((await existing.status()).status).toBe(TaskStatus.SUCCEEDED);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const fresh = await app.queue.enqueue('user.sync', ['u5'], { unique: true, uniqueFor: 400 });
    expect(fresh.id).toBe(first.id);
    await expect(fresh.result({ timeout: 5000 })).resolves.toBe('synced u5');
    expect(runs.entries.filter((entry) => entry.startsWith('u5 '))).toHaveLength(2);
  });

  it('keeps the id taken for uniqueFor even with a shorter resultTtl', async () => {
    const options = { unique: true, uniqueFor: 60_000, resultTtl: 0 } as const;
    const first = await app.queue.enqueue('user.sync', ['u9'], options);
    await first.result({ timeout: 5000 });
    await expect(app.queue.enqueue('user.sync', ['u9'], options)).rejects.toBeInstanceOf(
      MessageAlreadyExistsError,
    );
  });

  it('takes a failed holder out of the dead-letter set when its id is enqueued again', async () => {
    const failed = await app.queue.enqueue('user.broken', [], { unique: true });
    await expect(failed.result({ timeout: 5000 })).rejects.toThrow('always fails');
    expect((await app.queue.deadLetters('unique')).map((dead) => dead.id)).toEqual([failed.id]);
    // Paused: an idle worker would otherwise run it again, and fail it back into the dead-letter
    // set, before the check below reads it.
    await app.queue.pause('unique');
    const again = await app.queue.enqueue('user.broken', [], { unique: true });
    expect(again.id).toBe(failed.id);
    expect(await app.queue.deadLetters('unique')).toEqual([]);
    await app.queue.resume('unique');
    await expect(again.result({ timeout: 5000 })).rejects.toThrow('always fails');
  });

  it('returns the holder of a custom id with onDuplicate, finished or not', async () => {
    const first = await app.queue.enqueue('user.sync', ['u6'], { id: 'sync-u6' });
    await first.result({ timeout: 5000 });
    const same = await app.queue.enqueue('user.sync', ['u6'], {
      id: 'sync-u6',
      onDuplicate: 'return-existing',
    });
    expect(same.id).toBe('sync-u6');
    await expect(same.result()).resolves.toBe('synced u6');
    expect(runs.entries.filter((entry) => entry.startsWith('u6 '))).toHaveLength(1);
  });

  it('enqueueMany: a duplicate aborts the batch, unless it asks for the holder', async () => {
    const open = closeGate();
    const held = await app.queue.enqueue('user.sync', ['u7'], { unique: true });
    const batch = (onDuplicate: 'error' | 'return-existing') =>
      app.queue.enqueueMany([
        { task: 'user.sync', args: ['u8'], options: { unique: true } },
        { task: 'user.sync', args: ['u7'], options: { unique: true, onDuplicate } },
      ]);
    await expect(batch('error')).rejects.toBeInstanceOf(MessageAlreadyExistsError);
    const handles = await batch('return-existing');
    expect(handles[1].id).toBe(held.id);
    open();
    await expect(handles[0].result({ timeout: 5000 })).resolves.toBe('synced u8');
    expect(runs.entries.filter((entry) => entry.startsWith('u8 '))).toHaveLength(1);
  });

  it('rejects bad unique options before writing anything', async () => {
    const redis = rawRedis();
    const before = (await dataKeysOf(redis, app.prefix)).length;
    const bad: Record<string, unknown>[] = [
      { unique: 'yes' },
      { uniqueFor: 1000 },
      { unique: true, uniqueFor: -1 },
      { unique: true, uniqueFor: '1s' },
      { onDuplicate: 'ignore' },
    ];
    for (const options of bad) {
      await expect(app.queue.enqueue('user.sync', ['x'], options)).rejects.toBeInstanceOf(
        InvalidOptionsError,
      );
    }
    expect((await dataKeysOf(redis, app.prefix)).length).toBe(before);
    redis.disconnect();
  });
});
