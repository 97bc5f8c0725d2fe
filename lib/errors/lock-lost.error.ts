import { TaskmillError } from './taskmill.error';

/**
 * Why a held lock was lost: `taken` (it expired and someone else took it, or it was deleted),
 * `expired` (taken with `renew: false`, its ttl ran out), `unconfirmed` (renewals failed for a whole TTL, so it may have expired), `shutdown` (the
 * application is closing and freed it).
 */
export type LockLostReason = 'taken' | 'expired' | 'unconfirmed' | 'shutdown';

const WHY: Record<LockLostReason, string> = {
  taken: 'it expired or was deleted, and this owner no longer holds it',
  expired: 'its ttl ran out (it was taken with renew: false)',
  unconfirmed: 'Redis could not be reached to renew it for a whole TTL, so it may have expired',
  shutdown: 'the application is shutting down and freed it',
};

/**
 * Not thrown at you: the `reason` of a lock handle's aborted `signal` when its lock was lost
 * while held. Work done after that point is no longer protected by the lock.
 */
export class LockLostError extends TaskmillError {
  constructor(
    readonly lockName: string,
    readonly why: LockLostReason,
  ) {
    super(
      `Lock "${lockName}" was lost: ${WHY[why]}. Stop the work it protects (honour the ` +
        `signal), or guard writes with the lock's fence number; a longer ttl makes this rarer.`,
    );
  }
}
