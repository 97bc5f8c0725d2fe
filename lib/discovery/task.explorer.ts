import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { HookRegistry } from '../hooks/hook.registry';
import { MethodBinder } from './method-binder';
import { readHookMetadata, readTaskMetadata } from './task-metadata.accessor';
import { TaskRegistry } from './task.registry';

/**
 * Finds every @Task() and @OnTask…() method on the application's providers at startup (one
 * walk for both) and registers it, bound (by the MethodBinder) to its provider instance, or to
 * one instance per run when the provider is request-scoped, so dependency injection works
 * inside handlers and hooks.
 */
@Injectable()
export class TaskExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: TaskRegistry,
    private readonly hooks: HookRegistry,
    private readonly binder: MethodBinder,
  ) {}

  onModuleInit(): void {
    // One instance can stand behind several providers (a `useExisting` alias, a factory that
    // returns another provider): its handlers are registered once.
    const explored = new WeakSet<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (wrapper.isAlias || !instance || typeof instance !== 'object') continue;
      if (explored.has(instance)) continue;
      explored.add(instance);
      this.explore(wrapper, instance);
    }
  }

  private explore(wrapper: InstanceWrapper, instance: Record<string, unknown>): void {
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const metadata = readTaskMetadata(instance[methodName]);
      const hooks = readHookMetadata(instance[methodName]);
      if (!metadata && !hooks) continue;
      const method = {
        wrapper,
        instance,
        methodName,
        source: `${instance.constructor.name}.${methodName}`,
      };
      for (const hook of hooks ?? []) {
        this.hooks.register({ ...hook, source: method.source, call: this.binder.hookCall(method) });
      }
      if (!metadata) continue;
      this.registry.register({
        name: metadata.name,
        source: method.source,
        options: metadata.options,
        schedule: metadata.schedule,
        gates: metadata.gates,
        rateLimit: metadata.rateLimit,
        mechanism: metadata.mechanism,
        batch: metadata.batch,
        handler: this.binder.taskHandler(method, metadata.name),
      });
    }
  }
}
