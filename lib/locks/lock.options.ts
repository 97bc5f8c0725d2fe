/** Options of `LockService.acquire()` and `withLock()`. Every one is optional. */
export interface LockOptions {
  /**
   * How long the lock lives without renewal, in ms (100 to 2³¹−1). While held it is renewed
   * every `ttl / 3`, so it only expires when its holder dies, hangs, or loses Redis. Default
   * 30 000.
   */
  ttl?: number;
  /**
   * How long to wait for a lock someone else holds, in ms (0 to 2³¹−1). 0: try once.
   * Default: 0 for `acquire()`, 30 000 for `withLock()`.
   */
  wait?: number;
  /**
   * A readable name for the holder, shown by `holder()` before `@host:pid` (1 to 200 visible
   * characters). Default: none, only `host:pid`.
   */
  owner?: string;
  /** false: do not renew; the lock expires `ttl` ms after it was taken. Default true. */
  renew?: boolean;
}

/** Who holds a lock now (`LockService.holder()`). */
export interface LockHolder {
  /** The holder's label: `[owner@]host:pid`. */
  holder: string;
  /** The fencing number of that acquisition: higher for every later acquisition. */
  fence: number;
  /** ms until it expires unless renewed (-1: it has no TTL, e.g. set by hand). */
  expiresInMs: number;
}

export interface ResolvedLockOptions {
  ttl: number;
  wait: number;
  owner: string | undefined;
  renew: boolean;
}

export const LOCK_DEFAULTS = {
  ttl: 30_000,
  acquireWait: 0,
  withLockWait: 30_000,
  renew: true,
} as const;

/** Shortest ttl: renewal runs every ttl / 3, which must stay well above a round trip. */
export const MIN_LOCK_TTL_MS = 100;
