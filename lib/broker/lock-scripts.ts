import type { SlotKeys } from './keys';
import type { ScriptCaller } from './queue-admin-scripts';
import { SCRIPT_CODES as CODE } from './script-codes';

/** One lock of this process to extend: its name, owner token and new TTL. */
export interface LockLease {
  name: string;
  token: string;
  ttl: number;
}

/** A lock held now, by name, with who holds it (LockService.held()). */
export interface HeldLock {
  name: string;
  /** The holder's label: `[owner@]host:pid`. */
  holder: string;
  /** The fencing number of that acquisition. */
  fence: number;
  /** ms until it expires unless renewed. */
  expiresInMs: number;
}

export type AcquireReply =
  | { acquired: true; fence: number }
  /** `retryIn`: ms until the holder's lock expires (-1: it has no TTL). */
  | { acquired: false; retryIn: number };

/**
 * Typed callers of the lock scripts (acquire, extend, release), one per script. Each takes,
 * checks or frees a lock by its owner token in one atomic step.
 */
export class LockScripts {
  /** Locks live in the prefix's slot: any app and worker finds one by its name alone. */
  constructor(
    private readonly call: ScriptCaller,
    private readonly slot: SlotKeys,
  ) {}

  async acquire(name: string, token: string, holder: string, ttl: number): Promise<AcquireReply> {
    const [taken, value] = (await this.call(
      'taskmillAcquireLock',
      this.slot,
      true,
      name,
      token,
      holder,
      ttl,
    )) as [number, number];
    return taken === CODE.DONE
      ? { acquired: true, fence: value }
      : { acquired: false, retryIn: value };
  }

  /** Extends each lock its token still owns; returns, per lock, whether it still owns it. */
  async extend(leases: LockLease[]): Promise<boolean[]> {
    if (leases.length === 0) return [];
    const triples = leases.flatMap((lease) => [lease.name, lease.token, lease.ttl]);
    const codes = (await this.call('taskmillExtendLock', this.slot, true, ...triples)) as number[];
    return codes.map((code) => code === CODE.DONE);
  }

  /** One page of the locks held now, soonest to expire first, and how many are held. */
  async held(offset: number, limit: number): Promise<{ total: number; locks: HeldLock[] }> {
    const [total, ...flat] = (await this.call(
      'taskmillHeldLocks',
      this.slot,
      true,
      offset,
      limit,
    )) as [number, ...(string | number)[]];
    const locks: HeldLock[] = [];
    for (let i = 0; i < flat.length; i += 4) {
      locks.push({
        name: String(flat[i]),
        holder: String(flat[i + 1]),
        fence: Number(flat[i + 2]),
        expiresInMs: Number(flat[i + 3]),
      });
    }
    return { total, locks };
  }

  /** Frees the lock if `token` still owns it; false when it did not (a stale owner). */
  async release(name: string, token: string): Promise<boolean> {
    return (await this.call('taskmillReleaseLock', this.slot, true, name, token)) === CODE.DONE;
  }
}
