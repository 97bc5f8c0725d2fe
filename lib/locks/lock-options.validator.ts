import {
  checkBoolean,
  checkDuration,
  checkKnownKeys,
  checkName,
  checkObject,
  checkTaskId,
} from '../validation/checks';
import { LOCK_DEFAULTS, LockOptions, MIN_LOCK_TTL_MS, ResolvedLockOptions } from './lock.options';

const KNOWN: readonly (keyof LockOptions)[] = ['ttl', 'wait', 'owner', 'renew'];

/** Checks a lock's name (it ends up in a key: the name rules of queues apply). */
export function checkLockName(name: unknown): string {
  return checkName(name, 'name');
}

/** Validates lock options before anything is sent to Redis; throws InvalidOptionsError. */
export function resolveLockOptions(raw: unknown, defaultWait: number): ResolvedLockOptions {
  const options = checkObject(raw ?? {}, 'options');
  checkKnownKeys(options, KNOWN, 'options');
  return {
    ttl: checkDuration(options.ttl ?? LOCK_DEFAULTS.ttl, 'options.ttl', { min: MIN_LOCK_TTL_MS }),
    wait: checkDuration(options.wait ?? defaultWait, 'options.wait'),
    owner: options.owner === undefined ? undefined : checkTaskId(options.owner, 'options.owner'),
    renew: checkBoolean(options.renew ?? LOCK_DEFAULTS.renew, 'options.renew'),
  };
}
