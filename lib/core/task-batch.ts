/** One task of a batch, as a batch handler gets it (see `@Task({ batch })`). */
export interface TaskBatchItem<Args extends unknown[] = unknown[]> {
  id: string;
  args: Args;
  /** This run's number for this task, from 1: items of one batch may be on different attempts. */
  attempt: number;
}

/**
 * What a `@Task({ batch })` handler is called with: up to `batch.size` tasks of its name. It
 * returns one result per item, in order; an `Error` in place of a result fails that item alone
 * (retried on its own, as usual), and a thrown error fails every item.
 * @example
 * ＠Task({ name: 'email.send', batch: { size: 100, waitMs: 50 } })
 * async send({ items }: TaskBatch<[to: string, body: string]>) {
 *   const sent = await this.provider.sendMany(items.map(({ args: [to, body] }) => ({ to, body })));
 *   return sent.map((r) => (r.ok ? r.messageId : new Error(r.reason)));
 * }
 */
export interface TaskBatch<Args extends unknown[] = unknown[]> {
  items: TaskBatchItem<Args>[];
}
