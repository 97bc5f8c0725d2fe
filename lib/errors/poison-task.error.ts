import { TaskmillError } from './taskmill.error';

/**
 * Written by the lease sweep (lib/broker/scripts/reclaim-1.lua) on a task whose worker stopped
 * (crashed, was killed or hung past its lease) more than `worker.maxReclaims` times: the task
 * fails into its queue's dead-letter set instead of taking down workers forever. Its caller
 * sees a TaskFailedError whose `remoteName` is this class's name. Find out what stops the
 * worker (memory, a native crash, a loop that blocks the event loop past the lease), then give
 * the task another run with `requeueDead()`.
 */
export class PoisonTaskError extends TaskmillError {}
