import { PARAMTYPES_METADATA } from '@nestjs/common/constants';

/** The parameter kind of a task argument in the metadata below (pipes see it as `type`). */
const ARGUMENT = 0;

/**
 * How Nest's context creator reads a parameter's value: from the execution arguments
 * `[args, taskContext]`, the task argument at position `data`.
 */
export const taskArgumentsFactory = {
  exchangeKeyForValue(_type: number, data: unknown, [args]: [unknown[], unknown]): unknown {
    return args[data as number];
  },
};

/**
 * The metadata key under which a method's task arguments are described for `count`
 * arguments, declared on first use. Nest's context creator calls a handler with the values of
 * its described parameters (each through the pipes): describing every argument the task was
 * enqueued with (or every declared parameter, when more) keeps the call as the plain one
 * (rest parameters included), while pipes see each argument with its declared type.
 */
export function describeArguments(instance: object, methodName: string, count: number): string {
  const key = `taskmill:task-arguments:${count}`;
  const hosts = new Set([instance.constructor, Object.getPrototypeOf(instance).constructor]);
  for (const host of hosts) {
    if (Reflect.hasOwnMetadata(key, host, methodName)) continue;
    const described: Record<string, { index: number; data: number; pipes: [] }> = {};
    for (let index = 0; index < count; index++) {
      described[`${ARGUMENT}:${index}`] = { index, data: index, pipes: [] };
    }
    Reflect.defineMetadata(key, described, host, methodName);
  }
  return key;
}

/** How many parameters the method declares (from its emitted types, else its arity). */
export function declaredParameters(
  instance: object,
  methodName: string,
  method: (...args: never[]) => unknown,
): number {
  const types = Reflect.getMetadata(PARAMTYPES_METADATA, instance, methodName) as
    unknown[] | undefined;
  return types?.length ?? method.length;
}
