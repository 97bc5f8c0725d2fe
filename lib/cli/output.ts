import { safeJson } from '../core/terminal-text';
import { Column, renderTable } from './table';

/** Writes a command's result: JSON for scripts (`--json`), else what `human` renders. */
export function print(json: boolean | undefined, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${safeJson(value, 2)}\n` : human());
}

/** A table, or `empty` when there are no rows. */
export function tableOrNone(columns: Column[], rows: string[][], empty: string): string {
  return rows.length === 0 ? `${empty}\n` : renderTable(columns, rows);
}

/** A value read from Redis (arguments, a result, progress) as compact JSON text. */
export function valueText(value: unknown): string {
  return value === undefined ? '' : safeJson(value);
}

/** A time relative to now, for people: `12s ago`, `in 3m 5s`. */
export function relativeTime(at: number, now = Date.now()): string {
  if (!at) return '-';
  const span = duration(Math.abs(now - at));
  return at <= now ? `${span} ago` : `in ${span}`;
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** An epoch-ms time as UTC, to the second. */
export function utcTime(at: number | Date): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}
