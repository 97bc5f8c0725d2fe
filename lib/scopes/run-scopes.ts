import { Injectable } from '@nestjs/common';
import { ContextId, ContextIdFactory, ModuleRef } from '@nestjs/core';
import { Injector } from '@nestjs/core/injector/injector';
import { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { ScopedProviderError } from '../errors';

/**
 * One Nest "request" per task run: the providers of a request-scoped (or durable) dependency
 * tree are built once for each run, with the run's TaskContext as the request object (what
 * `REQUEST` and `TASK_REF` inject). The handler and the hooks that run inside it share the
 * run's instances.
 */
@Injectable()
export class RunScopes {
  private readonly injector = new Injector();
  /** By request object (a run's TaskContext, or a hook's context outside a run). */
  private readonly contextIds = new WeakMap<object, ContextId>();
  /** The request objects that are task contexts: only these are given as TASK_REF. */
  private readonly runContexts = new WeakSet<object>();

  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * The context id of `request`, made and registered on first use. Made through
   * ContextIdFactory so that an app's ContextIdStrategy (durable providers) sees the request.
   */
  contextIdOf(request: object, isRunContext: boolean): ContextId {
    let contextId = this.contextIds.get(request);
    if (contextId) return contextId;
    contextId = ContextIdFactory.getByRequest(request);
    this.moduleRef.registerRequestByContextId(request, contextId);
    this.contextIds.set(request, contextId);
    if (isRunContext) this.runContexts.add(request);
    return contextId;
  }

  /** `request` when it is a running task's context (TASK_REF's value), else undefined. */
  taskContextOf(request: unknown): unknown {
    return typeof request === 'object' && request !== null && this.runContexts.has(request)
      ? request
      : undefined;
  }

  /**
   * Builds the app's request-scoped global enhancers for this context id. Nest attaches them to
   * controllers only, so a task's provider does not load them with its own tree.
   */
  async loadEnhancers(
    wrappers: InstanceWrapper[],
    contextId: ContextId,
    taskName: string,
  ): Promise<void> {
    await Promise.all(wrappers.map((wrapper) => this.instanceOf(wrapper, contextId, taskName)));
  }

  /** The instance of the provider behind `wrapper` for this context id, built when needed. */
  async instanceOf(
    wrapper: InstanceWrapper,
    contextId: ContextId,
    taskName: string,
  ): Promise<object> {
    const host = wrapper.host;
    try {
      if (!host) throw new Error('the provider belongs to no module');
      const instance = (await this.injector.loadPerContext(
        wrapper.instance as object,
        host,
        // A global enhancer (APP_GUARD…) is among its module's injectables, not its providers.
        host.providers.has(wrapper.token) ? host.providers : host.injectables,
        contextId,
        wrapper,
      )) as object | undefined;
      if (!instance) throw new Error('Nest returned no instance');
      return instance;
    } catch (error) {
      throw new ScopedProviderError(taskName, String(wrapper.name), error);
    }
  }
}
