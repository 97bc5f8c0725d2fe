/**
 * Set in the environment of every worker-pool member (a thread or a child process), holding
 * its MemberConfig as JSON. QueueModule reads it: inside a member it starts no worker, checks
 * no connection and registers no schedule, because the member only runs handlers for the
 * worker that started it (see docs/worker-pools.md).
 */
export const POOL_MEMBER_ENV = 'TASKMILL_POOL_MEMBER';

/** True inside a worker-pool member. */
export function isPoolMember(): boolean {
  return process.env[POOL_MEMBER_ENV] !== undefined;
}
