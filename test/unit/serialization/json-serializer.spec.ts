import { SerializationError } from '../../../lib/errors';
import { JsonSerializer } from '../../../lib/serialization/json-serializer';

const serializer = new JsonSerializer();

function roundTrip(value: unknown): unknown {
  return serializer.deserialize(serializer.serialize(value, 'args'));
}

/** Serialises `value` at path `args`, expects SerializationError and returns it. */
function catchSerializationError(value: unknown): SerializationError {
  try {
    serializer.serialize(value, 'args');
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError);
    return error as SerializationError;
  }
  throw new Error('expected a SerializationError, but nothing was thrown');
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('JsonSerializer', () => {
  describe('round trips', () => {
    it.each<[string, unknown]>([
      ['a string', 'hello'],
      ['an empty string', ''],
      ['a number', 42.5],
      ['a negative integer', -7],
      ['true', true],
      ['false', false],
      ['null', null],
      ['an empty array', []],
      ['an empty object', {}],
      ['unicode text', 'héllo wörld — 日本語 🚀 \u0000 \u2028'],
      [
        'nested objects and arrays',
        {
          user: { name: 'Ada', tags: ['a', 'b'], address: { lines: [['x'], []] } },
          n: [1, [2, [3]]],
        },
      ],
      ['null inside arrays and objects', { a: null, b: [null, 1, null] }],
      ['unicode object keys', { ключ: 1, '🔑': [2] }],
    ])('returns %s unchanged', (_what, value) => {
      expect(roundTrip(value)).toEqual(value);
    });

    it('accepts an object with a null prototype', () => {
      const value = Object.assign(Object.create(null) as object, { a: 1 });
      expect(roundTrip(value)).toEqual({ a: 1 });
    });

    it('accepts the same object twice when it is shared but not cyclic', () => {
      const shared = { id: 1 };
      expect(roundTrip([shared, { again: shared }])).toEqual([{ id: 1 }, { again: { id: 1 } }]);
    });

    it('accepts undefined object properties and drops them', () => {
      const text = serializer.serialize({ a: 1, b: undefined, nested: { c: undefined } }, 'args');
      const back = serializer.deserialize(text) as Record<string, unknown>;
      expect(back).toEqual({ a: 1, nested: {} });
      expect('b' in back).toBe(false);
    });

    it('produces JSON text', () => {
      expect(serializer.serialize({ a: [1, 'x'] }, 'args')).toBe('{"a":[1,"x"]}');
    });
  });

  describe('rejections name the path of the bad value', () => {
    it.each<[string, unknown, string]>([
      ['a function', [() => 1], 'args[0]'],
      ['a nested function', [{ callback: function named() {} }], 'args[0].callback'],
      ['a symbol', [1, Symbol('s')], 'args[1]'],
      ['a BigInt', [{ amount: BigInt(10) }], 'args[0].amount'],
      ['NaN', [NaN], 'args[0]'],
      ['Infinity', [{ deep: [Infinity] }], 'args[0].deep[0]'],
      ['-Infinity', [-Infinity], 'args[0]'],
      ['undefined in an array', [1, undefined, 3], 'args[1]'],
      // eslint-disable-next-line no-sparse-arrays
      ['a hole in a sparse array', [1, , 3], 'args[1]'],
      ['an array of holes', [new Array(2)], 'args[0][0]'],
      ['undefined at the top level', undefined, 'args'],
      ['a Date', [{ when: new Date(0) }], 'args[0].when'],
      ['a Map', [new Map([['a', 1]])], 'args[0]'],
      ['a Set', [{ ids: new Set([1]) }], 'args[0].ids'],
      ['a class instance', [new Point(1, 2)], 'args[0]'],
      ['an Error', [new Error('boom')], 'args[0]'],
      ['a Buffer', [Buffer.from('abc')], 'args[0]'],
      ['a RegExp', [/x/], 'args[0]'],
    ])('rejects %s', (_what, value, path) => {
      expect(catchSerializationError(value).path).toBe(path);
    });

    it('rejects an object that contains itself', () => {
      const node: Record<string, unknown> = { name: 'a' };
      node.self = node;
      expect(catchSerializationError([node]).path).toBe('args[0].self');
    });

    it('rejects an array that contains itself', () => {
      const list: unknown[] = [1];
      list.push(list);
      const error = catchSerializationError(list);
      expect(error.path).toBe('args[1]');
      expect(error.message).toContain('cycle');
    });

    it('rejects a cycle that goes through several objects', () => {
      const a: Record<string, unknown> = {};
      const b: Record<string, unknown> = { a };
      a.b = b;
      expect(catchSerializationError({ root: a }).path).toBe('args.root.b.a');
    });
  });

  describe('messages say what to do', () => {
    it('suggests toISOString() for a Date', () => {
      const error = catchSerializationError([new Date(0)]);
      expect(error.message).toContain('Date');
      expect(error.message).toContain('toISOString()');
    });

    it('suggests a string for a BigInt', () => {
      expect(catchSerializationError([BigInt(1)]).message).toContain('string');
    });

    it('suggests null for undefined', () => {
      expect(catchSerializationError([undefined]).message).toContain('null');
    });

    it('names the class of a rejected instance', () => {
      expect(catchSerializationError([new Point(1, 2)]).message).toContain('Point');
      expect(catchSerializationError([new Map()]).message).toContain('Map');
      expect(catchSerializationError([new Set()]).message).toContain('Set');
    });

    it('starts with the path of the value', () => {
      expect(catchSerializationError([1, NaN]).message).toMatch(/^Cannot serialise args\[1\]:/);
    });
  });

  it('reads a __proto__ key back as data without polluting Object.prototype', () => {
    const back = serializer.deserialize('{"__proto__":{"polluted":true},"a":1}') as object;
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
