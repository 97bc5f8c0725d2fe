import { TaskmillError } from './taskmill.error';

/** Redis could not be reached, or answered in a way taskmill cannot work with. */
export class ConnectionError extends TaskmillError {
  constructor(detail: string) {
    super(
      `Redis connection problem: ${detail.replace(/[.\s]+$/, '')}. Check that Redis is running and that the ` +
        `"connection" option (or REDIS_URL) points at it.`,
    );
  }
}
