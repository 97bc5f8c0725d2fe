import type { Type } from '@nestjs/common';
import type { TaskBatch } from '../core/task-batch';
import { EnqueueOptions } from '../options/task.options';
import { SerializableArgs } from '../serialization/json-types';

type AnyMethod = (...args: never[]) => unknown;

/**
 * Names of `T`'s methods. Types cannot see decorators, so this admits every method, `@Task`
 * or not; enqueueing one without `@Task` throws UnknownTaskError at run time.
 */
export type MethodName<T> = {
  [K in keyof T]: T[K] extends AnyMethod ? K : never;
}[keyof T] &
  string;

/**
 * The arguments of one item when method `M` is a batch handler (`@Task({ batch })`: its one
 * parameter is a `TaskBatch<A>`); never otherwise. A parameter that merely accepts a batch
 * (`unknown`, `object`) is not one: the parameter's type must be a TaskBatch itself.
 */
type BatchItemArgs<M> = M extends (batch: infer P) => unknown
  ? [P] extends [TaskBatch<infer A>]
    ? A
    : never
  : never;

/**
 * The parameters of method `K` of `T`, as enqueue must receive them: a batch handler's are
 * those of one item.
 */
export type MethodArgs<T, K extends keyof T> = [BatchItemArgs<T[K]>] extends [never]
  ? T[K] extends (...args: infer A) => unknown
    ? A
    : never
  : BatchItemArgs<T[K]>;

/**
 * What method `K` of `T` resolves to: the type of `handle.result()`. A batch handler's is one
 * item's result (an Error in its place fails the item).
 */
export type MethodResult<T, K extends keyof T> = T[K] extends (...args: never[]) => infer R
  ? [BatchItemArgs<T[K]>] extends [never]
    ? Awaited<R>
    : Exclude<Awaited<R> extends readonly (infer E)[] ? E : never, Error>
  : never;

/**
 * The arguments of method `K` as enqueue takes them: its parameters, each held to what the
 * JSON serializer accepts (see TaskmillTypes for a custom serializer).
 */
export type TaskArgs<T, K extends keyof T> = SerializableArgs<MethodArgs<T, K>>;

/** `[args, options?]`, where `args` may be left out when the method takes no parameter. */
export type ArgsAndOptions<T, K extends keyof T> = [MethodArgs<T, K>] extends [[]]
  ? [args?: TaskArgs<T, K>, options?: EnqueueOptions]
  : [args: TaskArgs<T, K>, options?: EnqueueOptions];

/** One task of an `enqueueMany` batch, a group, or a chord, by name. */
export interface EnqueueRequest {
  task: string;
  args?: unknown[];
  options?: EnqueueOptions;
}

declare const resultType: unique symbol;

/**
 * One task by class and method, as `taskCall()` builds it: accepted wherever an
 * EnqueueRequest is, and it carries the handler's result type `R` to the handles.
 */
export interface TaskCall<R = unknown> {
  task: Type<unknown>;
  method: string;
  args?: unknown[];
  options?: EnqueueOptions;
  /** Never set: only carries `R` for the types. */
  readonly [resultType]?: R;
}

/** A task of a batch, group or chord: by name, or by class and method. */
export type TaskRequest<R = unknown> = EnqueueRequest | TaskCall<R>;

/** The result type a request carries: its handler's, or unknown when enqueued by name. */
export type RequestResult<Q> = Q extends { readonly [resultType]?: infer R } ? R : unknown;

/** The result types of a list of requests, in order. */
export type RequestResults<Q extends readonly unknown[]> = {
  -readonly [I in keyof Q]: RequestResult<Q[I]>;
};
