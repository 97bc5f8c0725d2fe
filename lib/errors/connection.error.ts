import { TaskmillError } from './taskmill.error';

/** Redis could not be reached, or answered in a way taskmill cannot work with. */
export class ConnectionError extends TaskmillError {
  /**
   * `endpoint`: where taskmill tried to reach Redis and on which connection, e.g.
   * `10.0.0.5:6390 (command connection)` (never credentials); `detail` then says what happened
   * there ("did not answer within …", "could not be reached: …").
   */
  constructor(
    detail: string,
    readonly endpoint?: string,
    advice = 'Check that Redis is running and that the "connection" option (or REDIS_URL) points at it.',
  ) {
    super(
      `${endpoint === undefined ? 'Redis connection problem:' : `Redis at ${endpoint}`} ` +
        `${detail.replace(/[.\s]+$/, '')}. ${advice}`,
    );
  }
}
