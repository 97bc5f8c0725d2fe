import { TaskmillError } from './taskmill.error';

/**
 * A task record taskmill cannot use: it lacks what taskmill always writes, or its arguments do
 * not decode to an array (foreign or corrupted data under the prefix). No retry can fix it, so
 * the task fails at once into the dead-letter set: written by the claim or the lease sweep
 * (lib/broker/scripts), or by the worker that claimed it. Its caller sees a TaskFailedError
 * whose `remoteName` is this class's name, and the message says what is wrong with the record.
 * Look for what else writes under taskmill's prefix; enqueue the task again with good data.
 */
export class CorruptTaskError extends TaskmillError {}
