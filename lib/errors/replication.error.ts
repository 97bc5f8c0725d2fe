import { ConnectionError } from './connection.error';

/**
 * A write reached the primary, but fewer replicas than `waitForReplicas` asked for confirmed it
 * in time: a failover now could lose it. It is a ConnectionError, so a call that writes tasks
 * names them in `taskIds` (enqueue again with those ids and `onDuplicate: 'return-matching'`,
 * which finds the task if it survived), and a worker writes its outcomes again until they are
 * confirmed.
 */
export class ReplicationError extends ConnectionError {
  constructor(
    /** Replicas that confirmed the write. */
    readonly acknowledged: number,
    /** Replicas `waitForReplicas` asks for. */
    readonly required: number,
    readonly timeoutMs: number,
    endpoint?: string,
    taskIds: readonly string[] = [],
  ) {
    super(
      `kept the write, but only ${acknowledged} of the ${required} replicas that ` +
        `waitForReplicas asks for confirmed it within ${timeoutMs} ms; a failover now could ` +
        `lose it`,
      endpoint,
      'Check the replicas (INFO replication on the primary: are they connected, is their lag ' +
        'small?), or lower waitForReplicas.',
      taskIds,
    );
  }

  override forTasks(taskIds: readonly string[]): ReplicationError {
    return new ReplicationError(
      this.acknowledged,
      this.required,
      this.timeoutMs,
      this.endpoint,
      taskIds,
    );
  }
}
