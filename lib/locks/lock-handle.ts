/** What a handle asks of the service that created it (internal). */
export interface LockControl {
  release(lock: LockHandle): Promise<boolean>;
  extend(lock: LockHandle, ttl: number | undefined): Promise<boolean>;
  isHeldBy(lock: LockHandle): Promise<boolean>;
}

/**
 * One acquisition of a named lock, returned by `LockService.acquire()` and given to the
 * function of `withLock()`. It is renewed in the background until `release()`.
 * @example
 * const lock = await locks.acquire('invoices', { wait: 5_000 });
 * if (lock) {
 *   try {
 *     await work(lock.signal, lock.fence);
 *   } finally {
 *     await lock.release();
 *   }
 * }
 */
export class LockHandle {
  // A true private field: the service holds Redis clients, which must not show when a handle
  // is logged, inspected or serialised.
  readonly #control: LockControl;

  /** @internal Created by LockService only. */
  constructor(
    /** The lock's name. */
    readonly name: string,
    /** Random token of this acquisition: only it may extend or release the lock. */
    readonly token: string,
    /**
     * Fencing number: every later acquisition of any lock of the prefix gets a higher one.
     * Pass it to the storage you protect and refuse writes with a lower number than the last
     * one seen, so that a holder that lost the lock without knowing cannot overwrite newer work.
     */
    readonly fence: number,
    /** This owner's label, as `holder()` shows it: `[owner@]host:pid`. */
    readonly holder: string,
    /**
     * Aborts when the lock is lost while held (it expired and someone else took it, renewal
     * failed for a whole ttl, or the app shuts down); `signal.reason` is a LockLostError. It
     * does not abort on `release()`.
     */
    readonly signal: AbortSignal,
    control: LockControl,
  ) {
    this.#control = control;
  }

  /** What `JSON.stringify` shows: the public facts, without the token that can release it. */
  toJSON(): { name: string; fence: number; holder: string; lost: boolean } {
    return { name: this.name, fence: this.fence, holder: this.holder, lost: this.lost };
  }

  /** True once the lock was lost while held (see `signal`). */
  get lost(): boolean {
    return this.signal.aborted;
  }

  /**
   * Frees the lock and stops renewing it. False when this handle no longer owned it (it
   * expired, was taken over, or was released already): someone else's lock is never freed.
   */
  release(): Promise<boolean> {
    return this.#control.release(this);
  }

  /**
   * Sets the lock's TTL again now (to `ttl`, or the current one), and uses that ttl for the
   * renewals that follow. False when the lock was released, or lost (`signal` then aborts).
   */
  extend(ttl?: number): Promise<boolean> {
    return this.#control.extend(this, ttl);
  }

  /** Whether Redis still has this acquisition as the lock's owner. */
  isHeld(): Promise<boolean> {
    return this.#control.isHeldBy(this);
  }
}
