import { SerializationError } from '../errors';
import { Serializer } from './serializer';

/**
 * JSON, but strict: it refuses values that JSON would silently change (Dates become strings,
 * Maps become `{}`, NaN becomes null, class instances lose their prototype) so a handler
 * always receives exactly what the producer sent.
 */
export class JsonSerializer implements Serializer {
  serialize(value: unknown, path: string): string {
    assertJsonSafe(value, path, new Set());
    return JSON.stringify(value);
  }

  deserialize(text: string): unknown {
    return JSON.parse(text);
  }
}

function assertJsonSafe(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(path, `${value} is not a finite number`);
      return;
    case 'undefined':
      fail(path, 'undefined cannot be stored; use null or leave the value out');
      return;
    case 'bigint':
      fail(path, 'BigInt is not JSON; pass it as a string');
      return;
    case 'function':
    case 'symbol':
      fail(path, `a ${typeof value} cannot be stored; pass plain data`);
      return;
  }
  if (value === null) return;
  const object = value as object;
  if (ancestors.has(object)) fail(path, 'the value contains a cycle');
  ancestors.add(object);
  if (Array.isArray(object)) {
    // An index loop, not forEach: forEach skips holes, which JSON would turn into null.
    for (let index = 0; index < object.length; index++) {
      assertJsonSafe(object[index], `${path}[${index}]`, ancestors);
    }
  } else {
    assertPlainObject(object, path);
    for (const [key, item] of Object.entries(object)) {
      // JSON drops undefined properties, which round-trips as "absent": accepted.
      if (item !== undefined) assertJsonSafe(item, `${path}.${key}`, ancestors);
    }
  }
  ancestors.delete(object);
}

function assertPlainObject(object: object, path: string): void {
  const proto = Object.getPrototypeOf(object);
  if (proto === Object.prototype || proto === null) return;
  const kind = object.constructor?.name ?? 'object';
  const hint =
    object instanceof Date ? 'pass date.toISOString() or date.getTime()' : 'pass plain data';
  fail(path, `a ${kind} instance would not survive JSON; ${hint}`);
}

function fail(path: string, problem: string): never {
  throw new SerializationError(path, problem);
}
