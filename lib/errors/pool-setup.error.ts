import { TaskmillError } from './taskmill.error';

/**
 * The worker's pool cannot run a `@Task({ mechanism: 'thread' | 'process' })` handler: no
 * `worker.pool`, no member of that kind, a module file that does not load or export the
 * module, or a module without the task's provider. Thrown at startup; the message names the
 * task (or module) and the fix.
 */
export class PoolSetupError extends TaskmillError {}
