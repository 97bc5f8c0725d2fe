import { DynamicModule, INestApplicationContext, Module, Type } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { RESOLVED_OPTIONS } from '../../constants';
import { MethodBinder } from '../../discovery/method-binder';
import { TaskExplorer } from '../../discovery/task.explorer';
import { NestMethodBinder } from '../../enhancers/nest-method-binder';
import { TaskContextCreator } from '../../enhancers/task-context-creator';
import { RunScopes } from '../../scopes/run-scopes';
import { TaskRegistry } from '../../discovery/task.registry';
import { HookRegistry } from '../../hooks/hook.registry';
import type { ResolvedModuleOptions } from '../../options/module.options';
import { JsonSerializer } from '../../serialization/json-serializer';
import { Serializer } from '../../serialization/serializer';
import type { MemberConfig } from '../pool-protocol';

/** The member's booted application: its handlers by name, and the serializer to use. */
export interface MemberApp {
  registry: TaskRegistry;
  serializer: Serializer;
  context: INestApplicationContext;
}

/** A boot that failed, with the message the worker shows (it names the module and the fix). */
export class MemberBootError extends Error {}

/**
 * The member's root module: its own discovery around the user's module, so that it finds the
 * handlers whether or not that module imports QueueModule. A class of its own (not a dynamic
 * module) so that its registry can be picked out from a QueueModule's inside.
 */
function memberModule(userModule: Type | DynamicModule): Type {
  class TaskmillPoolMemberModule {}
  Module({
    imports: [DiscoveryModule, userModule],
    // Bound as on the event loop: the method's Nest enhancers run here, around the handler.
    providers: [
      TaskRegistry,
      HookRegistry,
      TaskExplorer,
      { provide: MethodBinder, useClass: NestMethodBinder },
      TaskContextCreator,
      RunScopes,
    ],
  })(TaskmillPoolMemberModule);
  return TaskmillPoolMemberModule;
}

/**
 * Loads the module file, boots its module as a Nest application context (QueueModule inside
 * it starts no worker and opens no connection: isPoolMember) and collects its @Task handlers.
 */
export async function bootMemberApp(config: MemberConfig): Promise<MemberApp> {
  const root = memberModule(loadModule(config));
  let context: INestApplicationContext;
  try {
    context = await NestFactory.createApplicationContext(root, {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
  } catch (error) {
    throw new MemberBootError(
      `booting ${config.export} from worker.pool.module "${config.module}" in a pool ` +
        `${config.mechanism} failed: ${(error as Error).message}`,
    );
  }
  // Ours, not the one of a QueueModule inside.
  const registry = context.select(root).get(TaskRegistry, { strict: true });
  return { registry, serializer: serializerOf(context), context };
}

function loadModule(config: MemberConfig): Type | DynamicModule {
  let exports: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the path is only known at run time
    exports = require(config.module) as Record<string, unknown>;
  } catch (error) {
    throw new MemberBootError(
      `worker.pool.module "${config.module}" did not load in a pool ${config.mechanism}: ` +
        `${(error as Error).message}. Give the absolute path of the file that exports your ` +
        `module, e.g. require.resolve('./app.module').`,
    );
  }
  const found = exports[config.export];
  if (typeof found === 'function' || (found && typeof found === 'object' && 'module' in found)) {
    return found as Type | DynamicModule;
  }
  const names = Object.keys(exports).join(', ') || 'nothing';
  throw new MemberBootError(
    `worker.pool.module "${config.module}" exports no Nest module named "${config.export}" ` +
      `(it exports: ${names}); set worker.pool.export to the name of your module's export.`,
  );
}

/** The serializer of the module's QueueModule (the worker's, when it is the same app module). */
function serializerOf(context: INestApplicationContext): Serializer {
  try {
    return context.get<ResolvedModuleOptions>(RESOLVED_OPTIONS, { strict: false }).serializer;
  } catch {
    return new JsonSerializer();
  }
}
