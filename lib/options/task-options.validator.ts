import { InvalidOptionsError } from '../errors';
import {
  checkBoolean,
  checkDuration,
  MAX_STORED_MS,
  checkInteger,
  checkKnownKeys,
  checkName,
  checkObject,
  describe,
} from '../validation/checks';
import { BackoffOption } from './backoff.options';
import {
  ResolvedBackoff,
  ResolvedTaskOptions,
  TaskDecoratorOptions,
  TaskMechanism,
  TaskOptions,
} from './task.options';

export const TASK_OPTION_KEYS = [
  'queue',
  'priority',
  'retries',
  'backoff',
  'timeout',
  'resultTtl',
] as const satisfies readonly (keyof TaskOptions)[];

/**
 * The options only `@Task()` takes, on top of TASK_OPTION_KEYS: the one list its unknown-option
 * message is built from. A type test asserts that UnlistedDecoratorKeys is `never`, so a key
 * added to TaskDecoratorOptions but not here fails the suite.
 */
export const DECORATOR_ONLY_KEYS = [
  'name',
  'schedule',
  'lock',
  'concurrency',
  'rateLimit',
  'group',
  'mechanism',
  'batch',
] as const satisfies readonly (keyof TaskDecoratorOptions)[];

/** Options of TaskDecoratorOptions missing from the two lists above: `never` when in sync. */
export type UnlistedDecoratorKeys = Exclude<
  keyof TaskDecoratorOptions,
  (typeof TASK_OPTION_KEYS)[number] | (typeof DECORATOR_ONLY_KEYS)[number]
>;

/** Priorities run from -MAX_PRIORITY (first) to MAX_PRIORITY (last). */
export const MAX_PRIORITY = 1_000_000_000;
const MAX_RETRIES = 1_000_000;

/** A task priority: an integer from -MAX_PRIORITY to MAX_PRIORITY. */
export function checkPriority(value: unknown, field: string): number {
  return checkInteger(value, field, { min: -MAX_PRIORITY, max: MAX_PRIORITY });
}

/**
 * Validates the task options present in `raw` (absent ones stay absent so that the layers
 * module defaults ← @Task ← enqueue can be merged afterwards).
 */
export function validateTaskOptions(
  raw: TaskOptions,
  field: string,
  extraKeys: readonly string[] = [],
): Partial<ResolvedTaskOptions> {
  const options = checkObject(raw, field || 'options');
  checkKnownKeys(options, [...TASK_OPTION_KEYS, ...extraKeys], field);
  const at = (key: string) => (field ? `${field}.${key}` : key);
  const result: Partial<ResolvedTaskOptions> = {};
  if (options.queue !== undefined) result.queue = checkName(options.queue, at('queue'));
  if (options.priority !== undefined) {
    result.priority = checkPriority(options.priority, at('priority'));
  }
  if (options.retries !== undefined) {
    result.retries = checkInteger(options.retries, at('retries'), { min: 0, max: MAX_RETRIES });
  }
  if (options.backoff !== undefined) {
    result.backoff = validateBackoff(options.backoff as BackoffOption, at('backoff'));
  }
  if (options.timeout !== undefined) {
    result.timeout = checkDuration(options.timeout, at('timeout'), { min: 1 });
  }
  if (options.resultTtl !== undefined) {
    // 0 discards the task and its result as soon as it finishes (fire and forget).
    result.resultTtl = checkDuration(options.resultTtl, at('resultTtl'), { max: MAX_STORED_MS });
  }
  return result;
}

export function validateBackoff(raw: BackoffOption, field: string): ResolvedBackoff {
  if (typeof raw === 'number') {
    return { type: 'constant', delay: checkDuration(raw, field, { max: MAX_STORED_MS }) };
  }
  const backoff = checkObject(raw, field);
  checkKnownKeys(backoff, ['type', 'delay', 'floor', 'ceiling', 'jitter'], field);
  if (!['constant', 'linear', 'exponential'].includes(backoff.type as string)) {
    throw new InvalidOptionsError(`${field}.type`, `must be 'constant', 'linear' or 'exponential'`);
  }
  const result: ResolvedBackoff = {
    type: backoff.type as ResolvedBackoff['type'],
    delay: checkDuration(backoff.delay, `${field}.delay`, { max: MAX_STORED_MS }),
  };
  if (backoff.floor !== undefined)
    result.floor = checkDuration(backoff.floor, `${field}.floor`, { max: MAX_STORED_MS });
  if (backoff.ceiling !== undefined) {
    result.ceiling = checkDuration(backoff.ceiling, `${field}.ceiling`, { max: MAX_STORED_MS });
  }
  if (result.floor !== undefined && result.ceiling !== undefined && result.floor > result.ceiling) {
    throw new InvalidOptionsError(
      `${field}.floor`,
      `floor (${result.floor}) must not exceed ceiling (${result.ceiling})`,
    );
  }
  if (backoff.jitter !== undefined) result.jitter = checkBoolean(backoff.jitter, `${field}.jitter`);
  return result;
}

const MECHANISMS: readonly TaskMechanism[] = ['async', 'thread', 'process'];

/** `@Task({ mechanism })`: one of the three. */
export function checkMechanism(value: unknown, field: string): TaskMechanism {
  if (MECHANISMS.includes(value as TaskMechanism)) return value as TaskMechanism;
  throw new InvalidOptionsError(
    field,
    `must be 'async' (the worker's event loop), 'thread' or 'process' (a worker.pool member), ` +
      `got ${describe(value)}`,
  );
}
