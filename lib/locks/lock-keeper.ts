import { Logger } from '@nestjs/common';
import { performance } from 'perf_hooks';
import { LockScripts } from '../broker/lock-scripts';
import { LockLostError, LockLostReason } from '../errors';
import { LockHandle } from './lock-handle';

/** A lock this process holds, as the keeper tracks it. */
export interface HeldLock {
  handle: LockHandle;
  controller: AbortController;
  ttl: number;
  renew: boolean;
  /** performance.now() until which Redis is known to keep the lock (last confirmation + ttl). */
  confirmedUntil: number;
  /** With renew: false, aborts the signal when the ttl runs out. */
  expiry?: NodeJS.Timeout;
}

/**
 * Keeps every lock this process holds: one timer renews all of them in one batched script
 * call, every third of the shortest ttl among them, and signals the holders of locks found
 * lost. Renewing a longer-lived lock more often than it needs costs nothing extra: it rides in
 * the same call.
 */
export class LockKeeper {
  private readonly held = new Map<string, HeldLock>();
  private timer?: NodeJS.Timeout;
  /** The period the armed timer was set for. */
  private armedMs = Infinity;

  constructor(
    private readonly scripts: LockScripts,
    private readonly logger: Logger,
  ) {}

  add(lock: HeldLock): void {
    this.held.set(lock.handle.token, lock);
    this.armExpiry(lock);
    this.arm();
  }

  get(token: string): HeldLock | undefined {
    return this.held.get(token);
  }

  /** Stops keeping a lock (released); returns it, or undefined if it was not kept. */
  remove(token: string): HeldLock | undefined {
    const lock = this.held.get(token);
    if (!lock) return undefined;
    this.held.delete(token);
    clearTimeout(lock.expiry);
    if (this.held.size === 0) this.disarm();
    return lock;
  }

  /** Stops keeping a lock and tells its holder, through the handle's signal, why it was lost. */
  lose(token: string, why: LockLostReason): void {
    const lock = this.remove(token);
    if (!lock) return;
    const error = new LockLostError(lock.handle.name, why);
    this.logger.warn(error.message);
    lock.controller.abort(error);
  }

  /** Stops keeping every lock (shutdown); returns them. */
  removeAll(): HeldLock[] {
    const locks = [...this.held.values()];
    for (const lock of locks) this.remove(lock.handle.token);
    this.disarm();
    return locks;
  }

  /** Extends one lock now with `ttl`, which its next renewals use too. */
  async extend(lock: HeldLock, ttl: number): Promise<boolean> {
    const started = performance.now();
    const [owned] = await this.scripts.extend([
      { name: lock.handle.name, token: lock.handle.token, ttl },
    ]);
    if (!this.held.has(lock.handle.token)) return false;
    if (!owned) {
      this.lose(lock.handle.token, 'taken');
      return false;
    }
    lock.ttl = ttl;
    lock.confirmedUntil = started + ttl;
    this.armExpiry(lock);
    this.arm();
    return true;
  }

  /** Renews every renewing lock in one call; a lock Redis no longer gives its token is lost. */
  async renewAll(): Promise<void> {
    const due = [...this.held.values()].filter((lock) => lock.renew);
    if (due.length === 0) return;
    const started = performance.now();
    try {
      const leases = due.map(({ handle, ttl }) => ({
        name: handle.name,
        token: handle.token,
        ttl,
      }));
      const owned = await this.scripts.extend(leases);
      due.forEach((lock, i) => {
        if (!this.held.has(lock.handle.token)) return; // released meanwhile
        if (owned[i]) lock.confirmedUntil = started + lock.ttl;
        else this.lose(lock.handle.token, 'taken');
      });
    } catch (error) {
      this.logger.warn(`could not renew ${due.length} lock(s): ${(error as Error).message}`);
      // Redis may have let them expire: their holders must stop relying on them.
      const now = performance.now();
      for (const lock of due)
        if (now >= lock.confirmedUntil) this.lose(lock.handle.token, 'unconfirmed');
    }
  }

  /** A lock that is not renewed stops protecting anything when its ttl runs out. */
  private armExpiry(lock: HeldLock): void {
    if (lock.renew) return;
    clearTimeout(lock.expiry);
    const left = Math.max(0, lock.confirmedUntil - performance.now());
    lock.expiry = setTimeout(() => this.lose(lock.handle.token, 'expired'), left);
    lock.expiry.unref();
  }

  /** A third of the shortest renewing ttl: one late or failed renewal never loses a lock. */
  private periodMs(): number {
    let shortest = Infinity;
    for (const lock of this.held.values()) if (lock.renew) shortest = Math.min(shortest, lock.ttl);
    return shortest === Infinity ? Infinity : Math.floor(shortest / 3);
  }

  /** (Re)arms the timer when there is something to renew sooner than it would fire. */
  private arm(): void {
    const period = this.periodMs();
    if (period === Infinity || (this.timer && period >= this.armedMs)) return;
    this.disarm();
    this.armedMs = period;
    // A chain of timeouts, not an interval: a slow renewal never overlaps the next one.
    this.timer = setTimeout(() => void this.tick(), period);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.armedMs = Infinity;
    await this.renewAll();
    this.arm();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedMs = Infinity;
  }
}
