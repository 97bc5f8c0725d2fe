import type { Type } from '@nestjs/common';
import { TaskMetadata } from '../decorators/task.decorator';
import { readTaskMetadata } from '../discovery/task-metadata.accessor';
import { InvalidOptionsError, UnknownTaskError } from '../errors';
import { EnqueueOptions } from '../options/task.options';
import { ArgsAndOptions, MethodName, MethodResult, TaskCall } from './task-types';

/**
 * One task by class and method, type-checked like `queue.enqueue(Class, 'method', args)`, for
 * `enqueueMany`, `group`, `chain` and `chord`; the handles they return carry its result type.
 * @example
 * const [order, mail] = await queue.enqueueMany([
 *   taskCall(OrderTasks, 'process', [orderId]),
 *   taskCall(MailTasks, 'send', ['ada@example.com', 'hi'], { priority: 1 }),
 * ]);
 * const processed = await order.result(); // the type process() resolves to
 */
export function taskCall<T, K extends MethodName<T>>(
  type: Type<T>,
  method: K,
  ...[args, options]: ArgsAndOptions<T, K>
): TaskCall<MethodResult<T, K>> {
  return {
    task: type,
    method,
    ...(args === undefined ? {} : { args: args as unknown[] }),
    ...(options === undefined ? {} : { options: options as EnqueueOptions }),
  };
}

/** A method's `@Task` metadata, and its arguments with an omitted list defaulted. */
export interface ResolvedTaskMethod {
  metadata: TaskMetadata;
  args: unknown;
}

/**
 * The task behind `Class.method`, with a message that says what is wrong when there is none:
 * types cannot see decorators, so a method without `@Task` compiles and is caught here.
 */
export function resolveTaskMethod(
  type: unknown,
  method: unknown,
  args: unknown,
): ResolvedTaskMethod {
  if (typeof type !== 'function') {
    throw new InvalidOptionsError('task', 'must be a task name or a class with @Task methods');
  }
  const className = type.name || 'the class';
  if (typeof method !== 'string' || method === '') {
    throw new InvalidOptionsError('method', `must name a @Task method of ${className}`);
  }
  const fn = (type.prototype as Record<string, unknown> | undefined)?.[method];
  const source = `${className}.${method}`;
  if (typeof fn !== 'function') {
    throw new UnknownTaskError(source, `${className} has no method "${method}"`);
  }
  const metadata = readTaskMetadata(fn);
  if (!metadata) {
    throw new UnknownTaskError(
      source,
      `${source} is a method but not a task; add @Task() to it, or enqueue by task name`,
    );
  }
  return { metadata, args: args === undefined ? defaultArgs(source, fn.length) : args };
}

/** No arguments given: fine for a method without parameters, a mistake otherwise. */
function defaultArgs(source: string, parameters: number): unknown[] {
  if (parameters === 0) return [];
  throw new InvalidOptionsError(
    'args',
    `${source} takes ${parameters} parameter(s) but no arguments were given; ` +
      `pass them as an array, e.g. [to, body] (or [] when they are all optional)`,
  );
}
