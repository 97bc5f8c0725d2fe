import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Broker } from '../broker/broker';
import { RESOLVED_OPTIONS } from '../constants';
import { isPoolMember } from '../core/pool-member';
import { ConnectionError, TaskmillError } from '../errors';
import { isCluster } from '../redis/any-redis';
import { clusterPermissionRefusal } from '../redis/cluster-permission-probe';
import { isBusyRedisReply } from '../redis/connection-errors';
import { ResolvedModuleOptions } from '../options/module.options';
import { RedisConnections } from '../redis/redis-connections';
import { EventsReader } from '../status/events-reader';

/**
 * Checks Redis at startup and closes taskmill's Redis connections last, after the worker has
 * recorded its final outcomes (the worker stops in onModuleDestroy, which Nest runs before
 * onApplicationShutdown).
 */
@Injectable()
export class ConnectionLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('taskmill:Redis');

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedModuleOptions,
    private readonly broker: Broker,
    private readonly reader: EventsReader,
    private readonly connections: RedisConnections,
  ) {}

  /**
   * Waits up to `connectTimeoutMs` for Redis to answer (and pass the server check): module
   * init runs before any application's bootstrap hook, so a wrong URL fails the start instead
   * of an app that looks healthy. A client passed in gets the same check. A server that
   * answers but is busy (full, loading, failing over) is reachable: the app starts, and the
   * check runs again before the first call.
   */
  async onModuleInit(): Promise<void> {
    const { connectTimeoutMs } = this.options;
    // A pool member talks to its worker, not to Redis (see lib/pool).
    if (connectTimeoutMs === 0 || isPoolMember()) return;
    try {
      await this.broker.ready(connectTimeoutMs, () => this.connections.lastError);
    } catch (error) {
      if (isBusyRedisReply(error)) {
        this.logger.warn(
          `Redis at ${this.connections.endpoint} answered the startup check with ` +
            `"${(error as Error).message}"; starting anyway, calls retry until it is ready`,
        );
        return;
      }
      const refused = await this.clusterPermissionRefusal(error);
      // Nest does not run shutdown hooks after a failed init: without this, our connections
      // would go on reconnecting and keep the process alive.
      this.connections.abandonAll();
      throw refused ?? this.startupError(error);
    }
  }

  /**
   * A cluster client that never became ready may lack a cluster command in its ACL user, which
   * ioredis does not report as such (cluster-permission-probe): say so rather than time out.
   */
  private async clusterPermissionRefusal(error: unknown): Promise<unknown> {
    const { command } = this.connections;
    if (!(error instanceof ConnectionError) || !isCluster(command)) return undefined;
    return clusterPermissionRefusal(command);
  }

  /** A refusal Redis sent (NOAUTH, WRONGPASS, NOPERM, …), with the server it came from. */
  private startupError(error: unknown): unknown {
    if (error instanceof TaskmillError || !(error instanceof Error)) return error;
    return new ConnectionError(
      `refused taskmill's startup check: ${error.message}`,
      this.connections.endpoint,
      'Check the "connection" option (or REDIS_URL): its server, user and password.',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reader.close();
    await this.connections.closeAll();
  }
}
