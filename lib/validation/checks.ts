import { InvalidOptionsError } from '../errors';

/**
 * Small, explicit checks shared by module, decorator and enqueue option validation.
 * Each throws InvalidOptionsError naming the field, so users see exactly what to fix.
 */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function checkObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new InvalidOptionsError(field, 'must be a plain object');
  return value;
}

/** Rejects keys we do not know: a typo like `retires` must not be silently ignored. */
export function checkKnownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  field: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const where = field ? `${field}.${key}` : key;
      throw new InvalidOptionsError(where, `unknown option; expected one of ${allowed.join(', ')}`);
    }
  }
}

export function checkInteger(
  value: unknown,
  field: string,
  { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidOptionsError(field, `must be an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new InvalidOptionsError(field, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** A page of a listing: `offset` at least 0 (default 0), `limit` 1 to `maxLimit` (default 100). */
export function checkPage(page: unknown, maxLimit: number): { offset: number; limit: number } {
  const options = checkObject(page ?? {}, 'page');
  checkKnownKeys(options, ['offset', 'limit'], '');
  return {
    offset: checkInteger(options.offset ?? 0, 'offset', { min: 0 }),
    limit: checkInteger(options.limit ?? 100, 'limit', { min: 1, max: maxLimit }),
  };
}

/** The longest delay a Node.js timer can wait (about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The longest duration stored in Redis (about 317 years). Lua turns numbers of more than 14
 * digits into text like `9.007199254741e+15`, which PEXPIRE and ZADD then refuse halfway
 * through a script: with `now` added, 10¹³ ms stays well inside 14 digits.
 */
export const MAX_STORED_MS = 10 ** 13;

/**
 * Durations are milliseconds: finite, non-negative numbers (fractions are rounded up).
 * `max` defaults to MAX_TIMER_MS for values a timer waits for; MAX_STORED_MS for the others.
 */
export function checkDuration(
  value: unknown,
  field: string,
  { min = 0, max = MAX_TIMER_MS } = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidOptionsError(
      field,
      `must be a number of milliseconds, got ${describe(value)}`,
    );
  }
  if (value < min) {
    throw new InvalidOptionsError(field, `must be at least ${min} ms, got ${value}`);
  }
  if (value > max) {
    throw new InvalidOptionsError(
      field,
      `must be at most ${max} ms (about ${Math.floor(max / 86_400_000)} days), got ${value}`,
    );
  }
  return Math.ceil(value);
}

export function checkBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') {
    throw new InvalidOptionsError(field, `must be true or false, got ${describe(value)}`);
  }
  return value;
}

const NAME_PATTERN = /^[\p{L}\p{N}_$][\p{L}\p{N}_$.\-/@]*$/u;
const NAME_MAX_LENGTH = 128;

/** Whether checkName() accepts `value`. */
export function isName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= NAME_MAX_LENGTH &&
    NAME_PATTERN.test(value)
  );
}

/**
 * Queue, task and prefix names end up inside Redis keys and hash tags, so `{`, `}`, `:`,
 * whitespace and control characters are refused.
 */
export function checkName(value: unknown, field: string): string {
  if (isName(value)) return value;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionsError(field, `must be a non-empty string, got ${describe(value)}`);
  }
  if (value.length > NAME_MAX_LENGTH) {
    throw new InvalidOptionsError(field, `must be at most ${NAME_MAX_LENGTH} characters`);
  }
  throw new InvalidOptionsError(
    field,
    `"${printable(value)}" may only contain letters, digits and _ $ . - / @ ` +
      `(and must not start with . - / @)`,
  );
}

const ID_MAX_LENGTH = 200;

/** Custom task ids: any visible characters, no whitespace or control characters. */
export function checkTaskId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > ID_MAX_LENGTH) {
    throw new InvalidOptionsError(field, `must be a string of 1 to ${ID_MAX_LENGTH} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidOptionsError(
      field,
      `"${printable(value)}" must not contain whitespace or control characters`,
    );
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${printable(value)}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
