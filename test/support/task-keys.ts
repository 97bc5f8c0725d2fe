import { TaskRouter } from '../../lib/broker/task-router';
import { QueueKeyKind } from '../../lib/broker/keys';
import { TestApp } from './test-app';

/**
 * The Redis key of a task's record, in either key layout: the router knows which slot holds it
 * (the prefix's own in 'prefix', its queue shard's in 'queue').
 */
export function taskKey(t: Pick<TestApp, 'app'>, queue: string, id: string): string {
  return t.app.get(TaskRouter).slotFor(queue, id).task(id);
}

/** The key of one of a queue's structures (shard 0; the only one unless the queue is sharded). */
export function queueKey(t: Pick<TestApp, 'app'>, queue: string, kind: QueueKeyKind): string {
  return t.app.get(TaskRouter).slotsOf(queue)[0].queue(queue, kind);
}
