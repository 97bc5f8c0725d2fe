/** What `TaskmillHealthIndicator.isHealthy` checks besides Redis and the worker. */
export interface TaskmillHealthOptions {
  /**
   * Down when a ready task of a checked queue has waited longer than this, in ms (a backlog no
   * worker keeps up with, or a queue no worker consumes). Default: not checked.
   */
  maxLagMs?: number;
  /** The queues `maxLagMs` applies to. Default: every queue of the prefix but paused ones. */
  queues?: string[];
  /** How long Redis may take to answer, in ms. Default `1 000`. */
  timeoutMs?: number;
}

/** One indicator's result as `@nestjs/terminus` reads it: `{ [key]: { status, ...details } }`. */
export type TaskmillHealthResult<K extends string> = Record<
  K,
  { status: 'up' | 'down' } & Record<string, unknown>
>;
