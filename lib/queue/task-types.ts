import { EnqueueOptions } from '../options/task.options';

type AnyMethod = (...args: never[]) => unknown;

/** Names of `T`'s methods. */
export type MethodName<T> = {
  [K in keyof T]: T[K] extends AnyMethod ? K : never;
}[keyof T] &
  string;

/** The parameters of method `K` of `T`, as enqueue must receive them. */
export type MethodArgs<T, K extends keyof T> = T[K] extends (...args: infer A) => unknown
  ? A
  : never;

/** What method `K` of `T` resolves to: the type of `handle.result()`. */
export type MethodResult<T, K extends keyof T> = T[K] extends (...args: never[]) => infer R
  ? Awaited<R>
  : never;

/** One task of an `enqueueMany` batch. */
export interface EnqueueRequest {
  task: string;
  args?: unknown[];
  options?: EnqueueOptions;
}
