import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import {
  LockService,
  NonRetryableError,
  QueueService,
  Task,
  TaskCancelledError,
  taskContext,
  TaskStatus,
} from '../../lib';

export const ACL_QUEUE = 'acl';

/** Handlers for every path of the flow: success, a retry, a failure, a cancellation. */
@Injectable()
export class AclTasks {
  @Task({ name: 'acl.echo', queue: ACL_QUEUE })
  async echo(value: string): Promise<string> {
    await taskContext().progress({ step: 1 });
    return value;
  }

  @Task({ name: 'acl.flaky', queue: ACL_QUEUE, retries: 1, backoff: 10 })
  async flaky(): Promise<string> {
    if (taskContext().attempt === 1) throw new Error('first attempt fails');
    return 'second attempt';
  }

  @Task({ name: 'acl.fail', queue: ACL_QUEUE })
  async fail(): Promise<void> {
    throw new NonRetryableError('to the dead letters');
  }

  @Task({ name: 'acl.slow', queue: ACL_QUEUE })
  async slow(): Promise<void> {
    const { signal } = taskContext();
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
  }
}

const echo = (value: string) => ({
  task: 'acl.echo',
  args: [value],
  options: { queue: ACL_QUEUE },
});

/**
 * Every feature taskmill has, once, on an app that runs a worker: what an ACL user must allow.
 * Each step checks its own outcome, so a permission that is missing fails here, not silently.
 */
export async function runWholeFlow(queue: QueueService, locks: LockService): Promise<void> {
  const events = firstValueFrom(
    queue.events$({ queue: ACL_QUEUE }).pipe(
      filter((u) => u.status === TaskStatus.SUCCEEDED),
      take(1),
    ),
  );
  const first = await queue.enqueue('acl.echo', ['one']);
  const updates = await lastValueFrom(first.status$.pipe(toArray()));
  expect(updates[updates.length - 1].status).toBe(TaskStatus.SUCCEEDED);
  await expect(first.result({ timeout: 5000 })).resolves.toBe('one');
  await events;
  await expect(first.history()).resolves.not.toHaveLength(0);

  const delayed = await queue.enqueue('acl.echo', ['later'], { delay: 200 });
  const flaky = await queue.enqueue('acl.flaky');
  await expect(delayed.result({ timeout: 5000 })).resolves.toBe('later');
  await expect(flaky.result({ timeout: 5000 })).resolves.toBe('second attempt');

  const many = await queue.enqueueMany([echo('a'), echo('b')]);
  const settled = [];
  for await (const s of queue.results(many, { timeout: 5000 })) settled.push(s);
  expect(settled).toHaveLength(2);
  const chain = await queue.chain([echo('c1'), echo('c2')]);
  await expect(chain.result({ timeout: 5000 })).resolves.toBe('c2');
  const chord = await queue.chord([echo('p1'), echo('p2')], echo('done'));
  await expect(chord.result({ timeout: 5000 })).resolves.toBe('done');

  const slow = await queue.enqueue('acl.slow');
  await firstValueFrom(slow.status$.pipe(filter((u) => u.status === TaskStatus.RUNNING)));
  expect(await slow.cancel()).toBe(true);
  await expect(slow.result({ timeout: 5000 })).rejects.toBeInstanceOf(TaskCancelledError);

  const failed = await queue.enqueue('acl.fail');
  await expect(failed.result({ timeout: 5000 })).rejects.toThrow('to the dead letters');
  expect((await queue.deadLetters(ACL_QUEUE)).map((d) => d.id)).toContain(failed.id);
  expect(await queue.requeueDead(ACL_QUEUE, [failed.id])).toEqual([failed.id]);
  await expect(queue.handle(failed.id).result({ timeout: 5000 })).rejects.toThrow();
  expect(await queue.purgeDead(ACL_QUEUE)).toBeGreaterThan(0);

  await runLocks(locks);
  await runSchedule(queue);
  await runQueueControl(queue);
}

async function runLocks(locks: LockService): Promise<void> {
  const held = await locks.acquire('acl-lock', { ttl: 1000 });
  expect(held).not.toBeNull();
  await expect(locks.holder('acl-lock')).resolves.not.toBeNull();
  // A second taker waits on the lock-released channel until the first lets go.
  const waiting = locks.acquire('acl-lock', { wait: 5000 });
  await locks.release(held!);
  const second = await waiting;
  expect(second).not.toBeNull();
  await locks.withLock('acl-other', async () => expect(await locks.isHeld('acl-other')).toBe(true));
  await locks.release(second!);
}

async function runSchedule(queue: QueueService): Promise<void> {
  const fired = firstValueFrom(
    queue.events$({ queue: ACL_QUEUE }).pipe(
      filter((u) => u.task === 'acl.echo' && u.status === TaskStatus.SUCCEEDED),
      take(1),
    ),
  );
  const schedule = await queue.schedule('acl.echo', { every: 100, args: ['tick'] });
  expect((await queue.schedules()).map((s) => s.id)).toContain(schedule.id);
  await fired;
  expect(await queue.unschedule(schedule.id)).toBe(true);
}

async function runQueueControl(queue: QueueService): Promise<void> {
  expect(await queue.pause(ACL_QUEUE)).toBe(true);
  const waiting = await queue.enqueue('acl.echo', ['paused'], { priority: 5 });
  await queue.enqueue('acl.echo', ['later'], { delay: 60_000 });
  expect((await queue.stats(ACL_QUEUE)).paused).toBe(true);
  expect((await queue.queues()).map((q) => q.queue)).toContain(ACL_QUEUE);
  expect((await queue.list(ACL_QUEUE, 'waiting')).map((t) => t.id)).toContain(waiting.id);
  expect((await queue.peek(ACL_QUEUE)).map((t) => t.id)).toContain(waiting.id);
  expect(await queue.reprioritize(waiting.id, 1)).toBe(true);
  await queue.promoteAll(ACL_QUEUE, 1);
  await queue.removeByPriority(ACL_QUEUE, { above: 100 });
  expect(await queue.drain(ACL_QUEUE)).toBeGreaterThan(0);
  expect(await queue.resume(ACL_QUEUE)).toBe(true);
  await queue.obliterate(ACL_QUEUE, { force: true });
}
