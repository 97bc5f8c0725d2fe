import { Provider } from '@nestjs/common';
import { Broker } from '../broker/broker';
import { KeyBuilder } from '../broker/keys';
import { RESOLVED_OPTIONS } from '../constants';
import { QueueModuleOptions, ResolvedModuleOptions } from '../options/module.options';
import { resolveModuleOptions } from '../options/module-options.validator';
import { RedisConnections } from '../redis/redis-connections';
import { ResultStore } from '../results/result-store';
import { EventsReader } from '../status/events-reader';
import { StatusTracker } from '../status/status-tracker';
import { QUEUE_MODULE_OPTIONS } from './queue.module-definition';

type Options = ResolvedModuleOptions;

/** The plain (non-decorated) building blocks, wired from the validated options. */
export const coreProviders: Provider[] = [
  {
    provide: RESOLVED_OPTIONS,
    useFactory: (raw: QueueModuleOptions) => resolveModuleOptions(raw),
    inject: [QUEUE_MODULE_OPTIONS],
  },
  {
    provide: RedisConnections,
    useFactory: (options: Options) => new RedisConnections(options.connection, options),
    inject: [RESOLVED_OPTIONS],
  },
  {
    provide: KeyBuilder,
    useFactory: (options: Options) => new KeyBuilder(options.prefix),
    inject: [RESOLVED_OPTIONS],
  },
  {
    provide: Broker,
    useFactory: (options: Options, connections: RedisConnections, keys: KeyBuilder) =>
      new Broker(connections.command, keys, options),
    inject: [RESOLVED_OPTIONS, RedisConnections, KeyBuilder],
  },
  {
    provide: EventsReader,
    useFactory: (options: Options, connections: RedisConnections, keys: KeyBuilder) =>
      new EventsReader(connections, keys, options.serializer, options.blockingTimeoutMs),
    inject: [RESOLVED_OPTIONS, RedisConnections, KeyBuilder],
  },
  {
    provide: StatusTracker,
    useFactory: (
      options: Options,
      connections: RedisConnections,
      keys: KeyBuilder,
      reader: EventsReader,
    ) => new StatusTracker(connections, keys, options.serializer, reader, options.stacksInUpdates),
    inject: [RESOLVED_OPTIONS, RedisConnections, KeyBuilder, EventsReader],
  },
  {
    provide: ResultStore,
    useFactory: (
      options: Options,
      connections: RedisConnections,
      keys: KeyBuilder,
      tracker: StatusTracker,
    ) => new ResultStore(connections, keys, options.serializer, tracker),
    inject: [RESOLVED_OPTIONS, RedisConnections, KeyBuilder, StatusTracker],
  },
];
