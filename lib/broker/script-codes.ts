/**
 * The one owner of what the Lua scripts answer with: their status codes (SCRIPT_CODES), the
 * bits of a definition mismatch (DEFINITION_BITS) and the names of the errors they write on
 * tasks they fail themselves (SCRIPT_ERRORS). The loader hands them to every script as the Lua
 * tables CODE, DEFINITION_BIT and ERROR_NAME (luaScriptCodes), so a script returns
 * `CODE.UNKNOWN_QUEUE` and its TypeScript caller compares the reply with
 * `SCRIPT_CODES.UNKNOWN_QUEUE`: neither side writes the number.
 */
import {
  ChainStoppedError,
  ChordPartFailedError,
  CorruptTaskError,
  IntegrityError,
  PoisonTaskError,
} from '../errors';

/**
 * Negative codes are refusals: each has its own number, and means the same in every script
 * that returns it. Zero and positive codes say what a script did; their numbers repeat across
 * scripts (1 is WRITTEN for an enqueue, RECORDED for an outcome), never within one script's
 * replies. Each script's header lists the codes it returns. The numbers travel only between a
 * process and the scripts it loaded itself, never into stored data.
 */
export const SCRIPT_CODES = {
  // Refusals.
  /** An outcome or progress from a run that no longer owns the task: a newer attempt does. */
  FENCED: -1,
  /** No record for that task id (never written, expired, or lost with Redis's data). */
  NO_TASK: -2,
  /** The queue is not in the prefix's registry: no task was ever enqueued to it. */
  UNKNOWN_QUEUE: -3,
  /** promote-all: the queue holds more ready tasks than the caller allows; nothing changed. */
  TOO_MANY_TASKS: -4,
  /** obliterate: the queue has running tasks and the call was not forced; nothing deleted. */
  QUEUE_BUSY: -5,
  /** enqueue, atomic mode: this task was not written because another one's id was taken. */
  SKIPPED: -6,
  /**
   * settle: the slot has no set of the worker's handler names under their digest (never sent
   * here, or expired): nothing was claimed; the claim goes again with the names.
   */
  HANDLERS_UNKNOWN: -7,

  // Any script.
  /** Did what it was asked. */
  DONE: 1,
  /** Nothing to do: it was so already (paused, the same schedule, a record there again). */
  UNCHANGED: 0,
  /** Did one batch; call again for the next (obliterate, remove-waiting). */
  MORE: 0,

  // Enqueue, chain and chord.
  /** The task (or every task of the workflow) was written. */
  WRITTEN: 1,
  /** The id is taken; nothing was written for it. */
  ID_TAKEN: 0,
  /** The id is taken and the caller asked for the holder (onDuplicate). */
  RETURN_EXISTING: 2,
  /** Chain and chord: written already, by this very call sent again after a reconnect. */
  SENT_AGAIN: 2,
  /** Ran after the caller's deadline (the caller was told it failed): nothing was written. */
  PAST_DEADLINE: 3,
  /**
   * Enqueue with a debounce: merged into the burst's pending task, which took the arguments
   * and a later due time; nothing new was written. The reply's entry is `{ DEBOUNCED, id }`,
   * the pending task's id.
   */
  DEBOUNCED: 4,
  /**
   * The id is taken by a task of another definition (onDuplicate 'return-matching'): the code
   * is this plus definitionDiff's bitmask (includes/tasks.lua; DEFINITION_BITS reads it).
   */
  DEFINITION_DIFFERS: 10,

  // Outcomes of runs (settle, progress).
  /** The outcome (or progress) was written. */
  RECORDED: 1,
  /** Its cancellation was requested while it ran: the run ended CANCELLED instead. */
  ENDED_CANCELLED: 2,

  // Cancel.
  /** A waiting task ended CANCELLED. */
  CANCELLED: 1,
  /** A running task was flagged, and its worker told. */
  CANCEL_REQUESTED: 2,
  /** It had finished already: nothing changed. */
  ALREADY_FINISHED: 0,

  // Other scripts.
  /** reprioritize: the task is running or finished; nothing changed. */
  NOT_WAITING: 0,
  /** Locks: another owner holds the lock, or the token's hold on it expired. */
  NOT_OWNER: 0,
  /** wait-for: waiting would close a cycle (the reply goes on with it); nothing recorded. */
  CYCLE: 0,
  /** fire-schedule: the tick's task was written and the schedule moved on. */
  FIRED: 1,
  /** fire-schedule: the schedule moved on, without a task. */
  MOVED_ON: 2,
  /** fire-schedule: the schedule is not at that tick (fired by another worker, gone, changed). */
  NOT_DUE: 0,
  /** queue-hosts: no live worker consumes the queue. */
  NO_CONSUMER: 0,
  /** queue-hosts: a live worker of the queue hosts the name, or we cannot tell (see there). */
  HOSTED: 1,
  /** queue-hosts: live workers consume the queue, none of them has the name's handler. */
  NOT_HOSTED: 2,
} as const;

/**
 * What differs between a new task and the task holding its id (definitionDiff, in
 * includes/tasks.lua): bits of a mask that CODE.DEFINITION_DIFFERS is added to.
 */
export const DEFINITION_BITS = {
  TASK_NAME: 1,
  QUEUE: 2,
  ARGUMENTS: 4,
} as const;

/**
 * The errors the scripts write on tasks they fail themselves; callers see them as
 * TaskFailedError.remoteName, so the class names are stored data and must not change.
 */
export const SCRIPT_ERRORS = {
  CORRUPT_TASK: CorruptTaskError,
  INTEGRITY: IntegrityError,
  POISON_TASK: PoisonTaskError,
  CHAIN_STOPPED: ChainStoppedError,
  CHORD_PART_FAILED: ChordPartFailedError,
} as const;

/** Lua declarations of the tables above, prepended to every script by the loader. */
export function luaScriptCodes(): string {
  const table = (name: string, entries: [string, string | number][]) =>
    [`local ${name} = {`, ...entries.map(([key, value]) => `  ${key} = ${value},`), '}'].join('\n');
  return [
    table('CODE', Object.entries(SCRIPT_CODES)),
    table('DEFINITION_BIT', Object.entries(DEFINITION_BITS)),
    table(
      'ERROR_NAME',
      Object.entries(SCRIPT_ERRORS).map(([key, type]) => [key, `'${type.name}'`]),
    ),
  ].join('\n');
}
