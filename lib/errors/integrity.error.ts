import { TaskmillError } from './taskmill.error';

/**
 * Written by the integrity scan (lib/broker/scripts/check-integrity-1.lua) on a task whose
 * status says it will run but that no queue structure holds (keys evicted, lost in a failover
 * or deleted by hand), so no worker would ever run it: it fails into the dead-letter set. Its
 * caller sees a TaskFailedError whose `remoteName` is this class's name; the message says what
 * was missing. Check Redis's maxmemory-policy (taskmill needs noeviction), then give the task
 * another run with `requeueDead()`.
 */
export class IntegrityError extends TaskmillError {}
