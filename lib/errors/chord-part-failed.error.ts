import { TaskmillError } from './taskmill.error';

/**
 * Written on a chord's callback when one of its parts failed or was cancelled: the callback
 * ends FAILED without running (lib/broker/scripts/includes/chord-join.lua). Its caller sees a
 * TaskFailedError whose `remoteName` is this class's name; its message names the part.
 */
export class ChordPartFailedError extends TaskmillError {
  /** What to do about it, which TaskFailedError tells the caller of the callback. */
  static readonly remedy =
    'Fix the cause of that part (its own result() has the details), then enqueue the whole ' +
    'chord again: the callback only runs after parts of the same chord.';
}
