import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { HookRegistry } from '../hooks/hook.registry';
import { readHookMetadata, readTaskMetadata } from './task-metadata.accessor';
import { TaskRegistry } from './task.registry';

type Method = (...args: unknown[]) => unknown;

/**
 * Finds every @Task() and @OnTask…() method on the application's providers at startup (one
 * walk for both) and registers it, bound to its provider instance so dependency injection
 * works inside handlers and hooks.
 */
@Injectable()
export class TaskExplorer implements OnModuleInit {
  private readonly logger = new Logger('taskmill:TaskExplorer');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: TaskRegistry,
    private readonly hooks: HookRegistry,
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
      const source = `${instance.constructor.name}.${methodName}`;
      if (!wrapper.isDependencyTreeStatic()) {
        // A request-scoped provider has no instance outside a request: it cannot run tasks.
        this.logger.warn(
          `${metadata ? '@Task' : 'Hook'} ${source} ignored: its provider is request-scoped`,
        );
        continue;
      }
      const method = instance[methodName] as Method;
      for (const hook of hooks ?? []) {
        this.hooks.register({ ...hook, source, call: (context) => method.call(instance, context) });
      }
      if (!metadata) continue;
      this.registry.register({
        name: metadata.name,
        source,
        options: metadata.options,
        schedule: metadata.schedule,
        gates: metadata.gates,
        rateLimit: metadata.rateLimit,
        handler: (...args) => method.apply(instance, args),
      });
    }
  }
}
