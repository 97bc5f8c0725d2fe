import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { RedisConnections } from '../redis/redis-connections';
import { EventsReader } from '../status/events-reader';

/**
 * Closes taskmill's Redis connections last, after the worker has recorded its final outcomes
 * (the worker stops in onModuleDestroy, which Nest runs before onApplicationShutdown).
 */
@Injectable()
export class ConnectionLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly reader: EventsReader,
    private readonly connections: RedisConnections,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.reader.close();
    await this.connections.closeAll();
  }
}
