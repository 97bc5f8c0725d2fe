/**
 * The one owner of Redis key names. Every key of a prefix shares the hash tag `{prefix}`, so
 * every script touches a single slot and runs unchanged on Redis Cluster.
 *
 * Lua scripts build task keys from ids they discover (a popped id, a promoted delayed task), so
 * the loader injects KEY_FAMILIES and QUEUE_KEY_KINDS into every script: the layout below is
 * still written down only here.
 */
export const KEY_FAMILIES = {
  /** hash: one task's message, state and result. */
  task: 't',
  /** list: a task's status history. */
  history: 'h',
  /** per-queue structures, followed by the queue name and a QUEUE_KEY_KINDS entry. */
  queue: 'q',
  /** set: every queue that has ever received a task. */
  queues: 'queues',
  /** stream: one entry per queue seen for the first time (lets readers of all queues find it). */
  queueLog: 'queue-log',
  /** pub/sub channel: ids of running tasks whose cancellation was requested. */
  cancel: 'cancel',
  /** list or stream private to one process's blocking reader: an entry interrupts its wait. */
  nudge: 'nudge',
} as const;

export const QUEUE_KEY_KINDS = {
  /** zset: waiting tasks, score = priority, member = 15-digit sequence + id (FIFO in a priority). */
  ready: 'ready',
  /** zset: tasks due later, score = due time (epoch ms). */
  delayed: 'delayed',
  /** zset: running tasks, score = lease deadline (epoch ms). */
  leases: 'leases',
  /** list: wake-up markers idle workers block on. */
  wake: 'wake',
  /** zset: failed tasks, score = failure time (epoch ms). */
  dead: 'dead',
  /** stream: status events of the queue's tasks, capped with MAXLEN ~. */
  events: 'events',
  /** string: sequence giving FIFO order within a priority. */
  seq: 'seq',
} as const;

export type QueueKeyKind = keyof typeof QUEUE_KEY_KINDS;

export class KeyBuilder {
  /** Passed to every script, which joins it with the families above. */
  readonly base: string;

  constructor(readonly prefix: string) {
    this.base = `{${prefix}}`;
  }

  task(id: string): string {
    return `${this.base}:${KEY_FAMILIES.task}:${id}`;
  }

  history(id: string): string {
    return `${this.base}:${KEY_FAMILIES.history}:${id}`;
  }

  queue(queue: string, kind: QueueKeyKind): string {
    return `${this.base}:${KEY_FAMILIES.queue}:${queue}:${QUEUE_KEY_KINDS[kind]}`;
  }

  queues(): string {
    return `${this.base}:${KEY_FAMILIES.queues}`;
  }

  queueLog(): string {
    return `${this.base}:${KEY_FAMILIES.queueLog}`;
  }

  nudge(readerId: string): string {
    return `${this.base}:${KEY_FAMILIES.nudge}:${readerId}`;
  }

  cancelChannel(): string {
    return `${this.base}:${KEY_FAMILIES.cancel}`;
  }
}

/** Lua declarations of the layout above, prepended to every script by the loader. */
export function luaKeyLayout(): string {
  const lines = Object.entries(KEY_FAMILIES).map(
    ([name, value]) => `local FAMILY_${name.toUpperCase()} = '${value}'`,
  );
  for (const [name, value] of Object.entries(QUEUE_KEY_KINDS)) {
    lines.push(`local QUEUE_${name.toUpperCase()} = '${value}'`);
  }
  return lines.join('\n');
}
