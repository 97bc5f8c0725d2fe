import { Injectable } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { DiscoveredMethod, MethodBinder, TaskHandler } from '../discovery/method-binder';
import { RunScopes } from '../scopes/run-scopes';
import { runningTaskContext, taskContext } from '../worker/task-context';
import { anyEnhancer, boundEnhancers } from './bound-enhancers';
import { EnhancedMethod, TaskContextCreator } from './task-context-creator';

type Method = (...args: unknown[]) => unknown;

/**
 * Binds handlers and hooks the cheapest way that still honours Nest: a singleton's handler
 * without enhancers stays a plain method call; one with enhancers runs through the context
 * creator; a request-scoped provider (or one under request-scoped global enhancers) gets its
 * instance, and its enhancers, per run.
 */
@Injectable()
export class NestMethodBinder extends MethodBinder {
  constructor(
    private readonly config: ApplicationConfig,
    private readonly creator: TaskContextCreator,
    private readonly scopes: RunScopes,
  ) {
    super();
  }

  taskHandler(discovered: DiscoveredMethod, taskName: string): TaskHandler {
    const { wrapper, instance, methodName, source } = discovered;
    const method = (instance as Record<string, Method>)[methodName];
    const enhancers = boundEnhancers(instance, method, this.config);
    const enhanced: EnhancedMethod = { instance, methodName, taskName, source, enhancers };
    if (wrapper.isDependencyTreeStatic() && enhancers.scopedGlobals.length === 0) {
      if (!anyEnhancer(enhancers)) return (...args) => method.apply(instance, args);
      const call = this.creator.create(enhanced);
      return (...args) => call(args, taskContext());
    }
    const perRunInstance = !wrapper.isDependencyTreeStatic();
    return async (...args) => {
      const context = taskContext();
      const contextId = this.scopes.contextIdOf(context, true);
      const host = perRunInstance
        ? await this.scopes.instanceOf(wrapper, contextId, taskName)
        : instance;
      if (!anyEnhancer(enhancers)) return method.apply(host, args);
      await this.scopes.loadEnhancers(enhancers.scopedGlobals, contextId, taskName);
      return this.creator.create(
        { ...enhanced, instance: host },
        contextId,
        wrapper.id,
      )(args, context);
    };
  }

  hookCall(discovered: DiscoveredMethod): (context: unknown) => unknown {
    const { wrapper, instance, methodName } = discovered;
    const method = (instance as Record<string, Method>)[methodName];
    if (wrapper.isDependencyTreeStatic()) return (context) => method.call(instance, context);
    return async (hookContext) => {
      // A start hook runs inside the run and shares its instances; other hooks run outside
      // it, each with instances of its own.
      const runContext = runningTaskContext();
      const request = (runContext ?? hookContext) as object;
      const contextId = this.scopes.contextIdOf(request, runContext !== undefined);
      const { task } = hookContext as { task: { name: string } };
      const host = await this.scopes.instanceOf(wrapper, contextId, task.name);
      return method.call(host, hookContext);
    };
  }
}
