import { InvalidOptionsError } from '../errors';

/** A query parameter as a string; absent or repeated ones are refused or taken first. */
export function textParam(value: unknown, name: string): string {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text === '') {
    throw new InvalidOptionsError(name, `the query parameter "${name}" is required`);
  }
  return text;
}

export function optionalText(value: unknown): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/** An integer query parameter (offset, limit); the API checks its range. */
export function numberParam(value: unknown, name: string, fallback: number): number {
  const text = optionalText(value);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) {
    throw new InvalidOptionsError(name, `must be a whole number, got "${text.slice(0, 40)}"`);
  }
  return Number(text);
}
