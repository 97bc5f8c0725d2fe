import { TaskmillError } from './taskmill.error';

/**
 * An operation that would have to change keys of several hash slots at once (tasks of different
 * queues or shards, in the `'queue'` key layout), which no single Redis script may do on Cluster,
 * and which taskmill does not serve across slots.
 */
export class CrossSlotError extends TaskmillError {
  constructor(
    /** What was asked, e.g. 'enqueueMany'. */
    readonly operation: string,
    /** The queues involved. */
    readonly queues: string[],
    hint: string,
  ) {
    super(
      `${operation} cannot span the queues ${queues.map((q) => `"${q}"`).join(', ')}: ` +
        `in the 'queue' key layout each queue (and each shard) has a hash slot of its own, and ` +
        `this is written all at once, which Redis does only within one slot. ${hint}`,
    );
  }
}
