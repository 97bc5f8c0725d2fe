/**
 * Anything read from Redis (ids, task names, arguments, errors) was written by whoever enqueued
 * it, and may hold escape sequences that move the cursor, rewrite earlier lines or retitle the
 * terminal. They are shown as visible escapes instead: C0 and C1 control characters, DEL, and
 * the bidirectional overrides that reorder what a line appears to say.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- likewise
const UNSAFE_IN_CELL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED[char] ?? (code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** Text safe for one table cell or one line: newlines and tabs escaped too. */
export function cellText(text: string): string {
  return text.replace(UNSAFE_IN_CELL, escapeChar);
}

/** Text that may span lines (a stack trace): newlines and tabs kept, other controls escaped. */
export function blockText(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * JSON for scripts and terminals alike: JSON.stringify already escapes C0 controls; the rest
 * of the unsafe characters become `\u` escapes, which decode to the same value.
 */
export function safeJson(value: unknown, indent?: number): string {
  const json = JSON.stringify(value, null, indent) ?? 'null';
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${hex(char.charCodeAt(0), 4)}`);
}
