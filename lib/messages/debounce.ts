import { InvalidOptionsError } from '../errors';
import { DebounceOptions, EnqueueOptions } from '../options/task.options';
import {
  checkInteger,
  checkKnownKeys,
  checkObject,
  checkTaskId,
  MAX_STORED_MS,
} from '../validation/checks';

const DEBOUNCE_KEYS = ['id', 'delayMs', 'maxDelayMs'] as const satisfies (keyof DebounceOptions)[];

/** What each part of a debounce is, for the message when it is missing. */
const REQUIRED: Record<'id' | 'delayMs', string> = {
  id: "the burst's id (e.g. `user-${userId}`): enqueues of the task with the same id run once",
  delayMs: "how many ms after the burst's last enqueue the task runs",
};

/**
 * The enqueue options a debounce refuses, and why: each decides the task's id or due time,
 * which the burst decides itself.
 */
const CONFLICTS: [keyof EnqueueOptions, string][] = [
  [
    'id',
    'every enqueue of a burst returns the one task that runs, whose id is generated; name the ' +
      'burst with debounce.id instead',
  ],
  ['unique', 'a unique task takes its id from its arguments; use debounce.id to merge enqueues'],
  ['delay', 'the burst decides when its task runs: give debounce.delayMs instead'],
  ['runAt', 'the burst decides when its task runs: give debounce.delayMs instead'],
];

/**
 * The debounce of one enqueue, checked (undefined for none): a plain object with an `id` (a
 * task id's rules), `delayMs` a positive integer and `maxDelayMs`, when given, at least
 * `delayMs`; refused next to `id`, `unique`, `delay` or `runAt`.
 */
export function checkDebounce(raw: EnqueueOptions): DebounceOptions | undefined {
  if (raw.debounce === undefined) return undefined;
  const options = checkObject(raw.debounce, 'debounce');
  checkKnownKeys(options, DEBOUNCE_KEYS, 'debounce');
  for (const [key, what] of Object.entries(REQUIRED)) {
    if (options[key] === undefined) {
      throw new InvalidOptionsError(`debounce.${key}`, `is required: ${what}`);
    }
  }
  for (const [key, why] of CONFLICTS) {
    if (raw[key] !== undefined && raw[key] !== false) {
      throw new InvalidOptionsError('debounce', `cannot be combined with ${key}: ${why}`);
    }
  }
  const id = checkTaskId(options.id, 'debounce.id');
  const delayMs = checkInteger(options.delayMs, 'debounce.delayMs', { min: 1, max: MAX_STORED_MS });
  if (options.maxDelayMs === undefined) return { id, delayMs };
  const maxDelayMs = checkInteger(options.maxDelayMs, 'debounce.maxDelayMs', {
    min: 1,
    max: MAX_STORED_MS,
  });
  if (maxDelayMs < delayMs) {
    throw new InvalidOptionsError(
      'debounce.maxDelayMs',
      `must be at least debounce.delayMs (${delayMs}), got ${maxDelayMs}: the cap bounds how ` +
        `long a burst that goes on may wait, and no task runs sooner than delayMs`,
    );
  }
  return { id, delayMs, maxDelayMs };
}

/**
 * Refuses a debounce in a batch (enqueueMany, a group): a batch is written all at once, while
 * a debounced enqueue may merge into a task written earlier instead of writing one.
 */
export function refuseDebounceInBatch(raw: EnqueueOptions | undefined, field: string): void {
  if (raw?.debounce === undefined) return;
  throw new InvalidOptionsError(
    `${field}.debounce`,
    'applies to queue.enqueue() only: a batch (enqueueMany, group) is written all or none, ' +
      "while a debounced enqueue merges into its burst's task; enqueue debounced tasks one " +
      'call each (calls made together still share one round trip)',
  );
}
