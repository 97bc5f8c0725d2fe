import { Provider } from '@nestjs/common';
import { Broker } from '../broker/broker';
import { KeyBuilder } from '../broker/keys';
import { TaskRouter } from '../broker/task-router';
import { RESOLVED_OPTIONS, OPTION_OVERRIDES } from '../constants';
import { TaskRegistry } from '../discovery/task.registry';
import { TaskCatalog } from '../catalog/task-catalog';
import { QueueConsumers } from '../catalog/queue-consumers';
import { UnconsumedQueues } from '../catalog/unconsumed-queues';
import { TaskMessageBuilder } from '../messages/task-message.builder';
import {
  OptionOverrides,
  QueueModuleOptions,
  ResolvedModuleOptions,
} from '../options/module.options';
import { resolveModuleOptions } from '../options/module-options.validator';
import { RedisConnections } from '../redis/redis-connections';
import { ResultStore } from '../results/result-store';
import { Schedules } from '../scheduling/schedules';
import { QueueService } from '../queue/queue.service';
import { CHILD_TASKS, ChildTasks } from '../worker/child-tasks';
import { HANDLER_POOLS } from '../worker/handler-pools';
import { WorkerPools } from '../pool/worker-pools';
import { EventsReader } from '../status/events-reader';
import { StatusTracker } from '../status/status-tracker';
import { TaskDetailsReader } from '../status/task-details';
import { QUEUE_MODULE_OPTIONS } from './queue.module-definition';

type Options = ResolvedModuleOptions;

/** The plain (non-decorated) building blocks, wired from the validated options. */
export const coreProviders: Provider[] = [
  {
    provide: RESOLVED_OPTIONS,
    useFactory: (raw: QueueModuleOptions, overrides?: OptionOverrides) =>
      resolveModuleOptions(withOverrides(raw, overrides)),
    inject: [QUEUE_MODULE_OPTIONS, { token: OPTION_OVERRIDES, optional: true }],
  },
  {
    provide: RedisConnections,
    useFactory: (options: Options) => new RedisConnections(options.connection, options),
    inject: [RESOLVED_OPTIONS],
  },
  {
    provide: KeyBuilder,
    useFactory: (options: Options) => new KeyBuilder(options.prefix, options.keyLayout),
    inject: [RESOLVED_OPTIONS],
  },
  {
    provide: TaskRouter,
    useFactory: (options: Options, keys: KeyBuilder) => new TaskRouter(keys, options.queues),
    inject: [RESOLVED_OPTIONS, KeyBuilder],
  },
  {
    provide: Broker,
    useFactory: (options: Options, connections: RedisConnections, router: TaskRouter) =>
      new Broker(connections.command, router, options),
    inject: [RESOLVED_OPTIONS, RedisConnections, TaskRouter],
  },
  {
    provide: EventsReader,
    useFactory: (options: Options, connections: RedisConnections, router: TaskRouter) =>
      new EventsReader(connections, router, options.serializer, options.blockingTimeoutMs),
    inject: [RESOLVED_OPTIONS, RedisConnections, TaskRouter],
  },
  {
    provide: StatusTracker,
    useFactory: (
      options: Options,
      connections: RedisConnections,
      router: TaskRouter,
      reader: EventsReader,
    ) =>
      new StatusTracker(connections, router, options.serializer, reader, options.stacksInUpdates),
    inject: [RESOLVED_OPTIONS, RedisConnections, TaskRouter, EventsReader],
  },
  {
    provide: ResultStore,
    useFactory: (
      options: Options,
      connections: RedisConnections,
      router: TaskRouter,
      tracker: StatusTracker,
    ) => new ResultStore(connections, router, options.serializer, tracker),
    inject: [RESOLVED_OPTIONS, RedisConnections, TaskRouter, StatusTracker],
  },
  {
    provide: TaskDetailsReader,
    useFactory: (options: Options, connections: RedisConnections, router: TaskRouter) =>
      new TaskDetailsReader(connections, router, options.serializer),
    inject: [RESOLVED_OPTIONS, RedisConnections, TaskRouter],
  },
  {
    provide: TaskCatalog,
    useFactory: (connections: RedisConnections, keys: KeyBuilder) =>
      new TaskCatalog(connections, keys),
    inject: [RedisConnections, KeyBuilder],
  },
  {
    provide: QueueConsumers,
    useFactory: (broker: Broker) => new QueueConsumers(broker.consumers),
    inject: [Broker],
  },
  {
    provide: UnconsumedQueues,
    useFactory: (consumers: QueueConsumers) => new UnconsumedQueues(consumers),
    inject: [QueueConsumers],
  },
  {
    provide: TaskMessageBuilder,
    useFactory: (
      options: Options,
      registry: TaskRegistry,
      router: TaskRouter,
      catalog: TaskCatalog,
    ) => new TaskMessageBuilder(options, registry, router, catalog),
    inject: [RESOLVED_OPTIONS, TaskRegistry, TaskRouter, TaskCatalog],
  },
  {
    provide: Schedules,
    useFactory: (
      options: Options,
      broker: Broker,
      connections: RedisConnections,
      builder: TaskMessageBuilder,
    ) => new Schedules(broker, connections, builder, options.serializer),
    inject: [RESOLVED_OPTIONS, Broker, RedisConnections, TaskMessageBuilder],
  },
  {
    provide: HANDLER_POOLS,
    useFactory: (options: Options) => new WorkerPools(options.worker.pool, options.serializer),
    inject: [RESOLVED_OPTIONS],
  },
  {
    // The worker's handlers enqueue and wait for other tasks through the producers' service.
    provide: CHILD_TASKS,
    useFactory: (queue: QueueService): ChildTasks => ({
      enqueue: (task, args, options) => queue.enqueue(task, args, options),
      results: (tasks, options) =>
        queue.allResults(
          tasks.map(({ id, queue: name }) => queue.handle(id, name)),
          options,
        ),
    }),
    inject: [QueueService],
  },
];

/** The module's options with OPTION_OVERRIDES (the CLI's flags) on top. */
function withOverrides(
  raw: QueueModuleOptions,
  overrides: OptionOverrides | undefined,
): QueueModuleOptions {
  const isObject = (value: unknown) => typeof value === 'object' && value !== null;
  // Options of the wrong shape are left as they are, for the validator to name.
  if (!overrides || !isObject(raw) || (raw.worker !== undefined && !isObject(raw.worker))) {
    return raw;
  }
  const worker = { ...raw.worker, ...overrides.worker };
  // A pool given by flags (module, size) keeps the app's other pool options.
  const pool = overrides.worker?.pool;
  const appPool = raw.worker?.pool;
  if (pool && isObject(appPool)) worker.pool = { ...appPool, ...pool };
  return { ...raw, ...overrides, worker };
}
