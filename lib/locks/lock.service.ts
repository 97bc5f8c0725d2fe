import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'crypto';
import { hostname } from 'os';
import { performance } from 'perf_hooks';
import { Broker } from '../broker/broker';
import { KeyBuilder, LOCK_FIELDS } from '../broker/keys';
import { InvalidOptionsError, LockLostError, LockTimeoutError, TaskmillError } from '../errors';
import { RedisConnections } from '../redis/redis-connections';
import { checkDuration, checkPage } from '../validation/checks';
import { HeldLock } from '../broker/lock-scripts';
import { LockControl, LockHandle } from './lock-handle';
import { LockKeeper } from './lock-keeper';
import { checkLockName, resolveLockOptions } from './lock-options.validator';
import {
  LOCK_DEFAULTS,
  LockHolder,
  LockOptions,
  MIN_LOCK_TTL_MS,
  ResolvedLockOptions,
} from './lock.options';
import { LockWaiters, RETRY_CEILING_MS } from './lock-waiters';

/** The most locks held() returns in one page. */
const MAX_HELD_PAGE = 1_000;

/**
 * Named distributed locks on the module's Redis, shared by every process under the same
 * prefix. Each acquisition gets a random owner token (only it may extend or release the lock)
 * and a fencing number; held locks are renewed in the background until released.
 * @example
 * constructor(private readonly locks: LockService) {}
 *
 * await this.locks.withLock('nightly-report', async (lock) => {
 *   await this.build(lock.signal); // lock.signal aborts if the lock is lost
 * });
 */
@Injectable()
export class LockService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('taskmill:LockService');
  private readonly keeper: LockKeeper;
  private readonly waiters: LockWaiters;
  private readonly control: LockControl;
  /** Who this process is, in holder labels. */
  private readonly processLabel = `${hostname()}:${process.pid}`;
  private closed = false;

  constructor(
    private readonly broker: Broker,
    private readonly connections: RedisConnections,
    private readonly keys: KeyBuilder,
  ) {
    this.keeper = new LockKeeper(broker.locks, this.logger);
    this.waiters = new LockWaiters(connections, keys.family('lockReleased'));
    this.control = {
      release: (lock) => this.release(lock),
      extend: (lock, ttl) => this.extend(lock, ttl),
      isHeldBy: (lock) => this.isHeldBy(lock),
    };
  }

  /**
   * Takes the lock `name`, waiting up to `wait` ms (default 0: try once) while someone else
   * holds it. Resolves with a handle, or null when it is still held by someone else. Not
   * reentrant: a second acquire of a lock this process holds waits like any other.
   */
  async acquire(name: string, options?: LockOptions): Promise<LockHandle | null> {
    const lockName = checkLockName(name);
    return this.take(lockName, resolveLockOptions(options, LOCK_DEFAULTS.acquireWait));
  }

  /**
   * Runs `fn` while holding the lock `name`, and always releases it afterwards. Waits up to
   * `wait` ms for it (default 30 000), then rejects with LockTimeoutError without running `fn`.
   * `lock.signal` aborts if the lock is lost while `fn` runs.
   */
  async withLock<T>(
    name: string,
    fn: (lock: LockHandle) => Promise<T> | T,
    options?: LockOptions,
  ): Promise<T> {
    const lockName = checkLockName(name);
    const resolved = resolveLockOptions(options, LOCK_DEFAULTS.withLockWait);
    if (typeof fn !== 'function') {
      throw new InvalidOptionsError('fn', 'must be the function to run while holding the lock');
    }
    const lock = await this.take(lockName, resolved);
    if (!lock) throw new LockTimeoutError(lockName, resolved.wait);
    try {
      return await fn(lock);
    } finally {
      await this.releaseQuietly(lock);
    }
  }

  /**
   * Frees a lock this handle holds and stops renewing it. False when the handle no longer owns
   * the lock (it expired and may be someone else's now, or was released already): a stale
   * owner never frees someone else's lock. Rejects with ConnectionError when Redis cannot be
   * reached; the lock then expires after its ttl, since it is no longer renewed.
   */
  async release(lock: LockHandle): Promise<boolean> {
    if (!(lock instanceof LockHandle)) {
      throw new InvalidOptionsError('lock', 'must be a LockHandle returned by acquire()');
    }
    // Stop renewing first: a renewal must never extend a lock its owner gave up.
    this.keeper.remove(lock.token);
    return this.broker.locks.release(lock.name, lock.token);
  }

  /** Whether anyone (any process) holds the lock `name` now. */
  async isHeld(name: string): Promise<boolean> {
    const key = this.keys.lock(checkLockName(name));
    return (await this.connections.guard(() => this.connections.command.exists(key))) === 1;
  }

  /** Who holds the lock `name` now, or null when no one does. */
  async holder(name: string): Promise<LockHolder | null> {
    const key = this.keys.lock(checkLockName(name));
    const replies = await this.connections.guard(() =>
      this.connections.command
        .multi()
        .hmget(key, LOCK_FIELDS.holder, LOCK_FIELDS.fence)
        .pttl(key)
        .exec(),
    );
    const [[, fields], [, ttl]] = replies as [[unknown, (string | null)[]], [unknown, number]];
    const [holder, fence] = fields;
    if (holder === null) return null;
    return { holder, fence: Number(fence), expiresInMs: ttl };
  }

  /**
   * The locks held now by anyone, soonest to expire first, one page at a time (default the
   * first 100, at most 1 000 per page), and how many are held. Read from an index the lock
   * scripts keep: no scan, whatever the number of keys.
   * @example
   * const { total, locks } = await this.locks.held({ offset: 0, limit: 20 });
   */
  async held(page?: {
    offset?: number;
    limit?: number;
  }): Promise<{ total: number; locks: HeldLock[] }> {
    const { offset, limit } = checkPage(page, MAX_HELD_PAGE);
    return this.broker.locks.held(offset, limit);
  }

  /**
   * At shutdown (after the worker stopped in onModuleDestroy, before the connections close):
   * waiting acquires reject, held locks are signalled as lost and freed, so that another
   * process need not wait for their ttl.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    const held = this.keeper.removeAll();
    for (const lock of held) lock.controller.abort(new LockLostError(lock.handle.name, 'shutdown'));
    await Promise.all(held.map(({ handle }) => this.releaseQuietly(handle)));
    await this.waiters.close();
  }

  private async take(name: string, options: ResolvedLockOptions): Promise<LockHandle | null> {
    this.checkOpen();
    const token = randomBytes(16).toString('base64url');
    const holder = options.owner ? `${options.owner}@${this.processLabel}` : this.processLabel;
    const taken = await this.takeWaiting(name, token, holder, options);
    if (!taken) return null;
    const controller = new AbortController();
    const handle = new LockHandle(
      name,
      token,
      taken.fence,
      holder,
      controller.signal,
      this.control,
    );
    if (this.closed) {
      // Taken while shutdown ran (after it freed the held locks): hand it straight back
      // rather than hold it, unrenewed, until its ttl.
      await this.releaseQuietly(handle);
      this.checkOpen();
    }
    this.keeper.add({
      handle,
      controller,
      ttl: options.ttl,
      renew: options.renew,
      confirmedUntil: taken.startedAt + options.ttl,
    });
    return handle;
  }

  /** Tries to take the lock until `wait` runs out, woken by releases and by the holder's expiry. */
  private async takeWaiting(
    name: string,
    token: string,
    holder: string,
    { ttl, wait }: ResolvedLockOptions,
  ): Promise<{ fence: number; startedAt: number } | undefined> {
    const deadline = performance.now() + wait;
    if (wait > 0) await this.waiters.listen().catch((error: unknown) => this.stoppedOr(error));
    for (;;) {
      const ticket = this.waiters.ticket(name);
      try {
        const startedAt = performance.now();
        const reply = await this.broker.locks.acquire(name, token, holder, ttl);
        if (reply.acquired) return { fence: reply.fence, startedAt };
        const left = deadline - performance.now();
        if (left <= 0) return undefined;
        // +1: PTTL rounds down, and a try a hair early only costs another round.
        const expiresIn = reply.retryIn >= 0 ? reply.retryIn + 1 : RETRY_CEILING_MS;
        await ticket.wait(Math.min(left, expiresIn, RETRY_CEILING_MS));
        this.checkOpen();
      } catch (error) {
        this.stoppedOr(error);
      } finally {
        ticket.cancel();
      }
    }
  }

  private async extend(lock: LockHandle, ttl: number | undefined): Promise<boolean> {
    const held = this.keeper.get(lock.token);
    const newTtl =
      ttl === undefined ? held?.ttl : checkDuration(ttl, 'ttl', { min: MIN_LOCK_TTL_MS });
    if (!held || newTtl === undefined) return false;
    return this.keeper.extend(held, newTtl);
  }

  private async isHeldBy(lock: LockHandle): Promise<boolean> {
    const key = this.keys.lock(lock.name);
    const token = await this.connections.guard(() =>
      this.connections.command.hget(key, LOCK_FIELDS.token),
    );
    return token === lock.token;
  }

  /** A release that must not hide the result of the work (withLock, shutdown): it only warns. */
  private async releaseQuietly(lock: LockHandle): Promise<void> {
    try {
      await this.release(lock);
    } catch (error) {
      this.logger.warn(
        `could not release lock "${lock.name}" (${(error as Error).message}); ` +
          `it expires within its ttl`,
      );
    }
  }

  /** Shutdown closed the connection under a try: report the shutdown, not the socket. */
  private stoppedOr(error: unknown): never {
    this.checkOpen();
    throw error;
  }

  private checkOpen(): void {
    if (this.closed) {
      throw new TaskmillError(
        'LockService is stopped: the application is shutting down, so no lock can be taken. ' +
          'Take locks before app.close().',
      );
    }
  }
}
