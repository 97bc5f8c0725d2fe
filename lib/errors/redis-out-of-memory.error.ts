import { TaskmillError } from './taskmill.error';

/**
 * Redis refused a write because it reached `maxmemory` (policy `noeviction`). Scripts are
 * refused at their first write, so nothing of the refused call was applied.
 */
export class RedisOutOfMemoryError extends TaskmillError {
  constructor(detail: string) {
    super(
      `Redis is out of memory and refused the write (${detail.replace(/[.\s]+$/, '')}); nothing ` +
        `was written. Free memory (expire results sooner with resultTtl, purge dead letters) or ` +
        `raise maxmemory, then try again. Tasks already queued keep draining as memory frees.`,
    );
  }
}
