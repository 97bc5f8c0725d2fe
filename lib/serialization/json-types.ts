/**
 * Compile-time mirror of what JsonSerializer accepts, for the arguments of tasks enqueued by
 * class and method. Types can see functions, BigInt, symbols and objects with methods (Date,
 * Map, Set, most class instances) but not a class instance with data fields only, nor a
 * non-finite number: those still fail at enqueue with SerializationError.
 */

/** Stands in for a parameter type the JSON serializer refuses; the compiler shows `Why`. */
export interface NotJson<Why extends string> {
  readonly 'taskmill: not JSON': Why;
}

type AnyFunction = (...args: never[]) => unknown;

type MethodKeys<T> = {
  [K in keyof T]-?: T[K] extends AnyFunction ? K : never;
}[keyof T];

/**
 * `T` where it survives JSON unchanged, `NotJson<…>` where the serializer would refuse it.
 * `undefined` is dropped from array elements and parameters (the serializer refuses it
 * there) and kept on object properties (JSON leaves them out, which reads back as absent).
 */
export type JsonSafe<T> = 0 extends 1 & T
  ? T // any: nothing to check
  : unknown extends T
    ? T // unknown: the handler takes anything
    : T extends string | number | boolean | null
      ? T
      : T extends undefined
        ? never
        : T extends bigint
          ? NotJson<'a BigInt is not JSON; pass it as a string'>
          : T extends symbol
            ? NotJson<'a symbol cannot be stored; pass plain data'>
            : T extends AnyFunction
              ? NotJson<'a function cannot be stored; pass plain data'>
              : T extends readonly unknown[]
                ? { [I in keyof T]: JsonSafe<T[I]> }
                : [MethodKeys<T>] extends [never]
                  ? { [P in keyof T]: JsonProperty<T[P]> }
                  : NotJson<'a Date, Map, Set or class instance would not survive JSON; pass plain data (date.toISOString(), Object.fromEntries(map), ...)'>;

type JsonProperty<T> = T extends undefined ? T : JsonSafe<T>;

/**
 * Augment this interface when the module's `serializer` is not the JSON one, so that
 * arguments of tasks enqueued by class and method are no longer held to JSON:
 * @example
 * declare module 'taskmill' {
 *   interface TaskmillTypes { serializer: 'custom' }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TaskmillTypes {}

/** The arguments tuple `A` as the configured serializer will accept it. */
export type SerializableArgs<A> = TaskmillTypes extends { serializer: 'custom' } ? A : JsonSafe<A>;
