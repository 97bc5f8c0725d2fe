import { ForbiddenException, Injectable } from '@nestjs/common';
import { ContextId, ExternalContextCreator } from '@nestjs/core';
import { isObservable, lastValueFrom } from 'rxjs';
import { TASKMILL_CONTEXT_TYPE } from '../constants';
import { TaskForbiddenError } from '../errors';
import { BoundEnhancers } from './bound-enhancers';
import { declaredParameters, describeArguments, taskArgumentsFactory } from './task-arguments';

/** A handler run through its enhancers: `args` and the run's context are the execution arguments. */
export type EnhancedCall = (args: unknown[], context: unknown) => Promise<unknown>;

/** What the context creator needs to know of one handler. */
export interface EnhancedMethod {
  instance: object;
  methodName: string;
  taskName: string;
  source: string;
  enhancers: BoundEnhancers;
}

/** The message of the ForbiddenException Nest throws when a guard returns false. */
const GUARD_REFUSED = 'Forbidden resource';

/**
 * Runs task handlers through Nest's ExternalContextCreator, so guards, interceptors, filters
 * and pipes apply as they do to controllers, in an execution context of type 'taskmill' whose
 * arguments are `[args, taskContext]`.
 */
@Injectable()
export class TaskContextCreator {
  constructor(private readonly creator: ExternalContextCreator) {}

  /**
   * The enhanced call of a method. Nest builds it for a number of arguments (see
   * describeArguments): built once per count for a singleton, or each time with a run's
   * `contextId` (request-scoped provider or enhancer).
   */
  create(method: EnhancedMethod, contextId?: ContextId, inquirerId?: string): EnhancedCall {
    const { instance, methodName, enhancers } = method;
    const callback = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName];
    const declared = declaredParameters(instance, methodName, callback);
    const built = new Map<number, (...args: unknown[]) => Promise<unknown>>();
    const build = (count: number) =>
      this.creator.create(
        instance,
        callback,
        methodName,
        describeArguments(instance, methodName, count),
        taskArgumentsFactory,
        contextId,
        inquirerId,
        // Without a filter, Nest's fallback would log every error a handler throws: the
        // worker reports failures itself.
        { guards: true, interceptors: true, filters: enhancers.filters },
        TASKMILL_CONTEXT_TYPE,
      );
    return async (args, context) => {
      const count = Math.max(args.length, declared);
      let call = built.get(count);
      if (!call) built.set(count, (call = build(count)));
      try {
        return await settle(await call(args, context));
      } catch (error) {
        throw refusedByGuard(error)
          ? new TaskForbiddenError(method.taskName, method.source)
          : error;
      }
    };
  }
}

/** An exception filter may answer with an Observable (as RPC filters do): its last value. */
function settle(result: unknown): unknown {
  return isObservable(result) ? lastValueFrom(result) : result;
}

/**
 * Nest's guard step throws this exception when a guard returns false; the creator gives no
 * other sign of it. A guard that throws its own error fails the attempt with that error.
 */
function refusedByGuard(error: unknown): boolean {
  return error instanceof ForbiddenException && error.message === GUARD_REFUSED;
}
