import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../constants';
import { isPoolMember } from '../core/pool-member';
import { TaskRegistry } from '../discovery/task.registry';
import { ResolvedModuleOptions } from '../options/module.options';
import { BackgroundRetry } from '../redis/background-retry';
import { TaskCatalog } from './task-catalog';

/**
 * Publishes this app's `@Task` declarations to the task catalog when it starts. The first try
 * is awaited, so that producers started after this app find its tasks; when Redis is down it
 * goes on in the background (an app must start while Redis is down).
 */
@Injectable()
export class CatalogPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('taskmill:TaskCatalog');
  private readonly retry: BackgroundRetry;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedModuleOptions,
    private readonly registry: TaskRegistry,
    private readonly catalog: TaskCatalog,
  ) {
    this.retry = new BackgroundRetry(
      this.logger,
      'publish the task catalog',
      options.blockingTimeoutMs,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const definitions = this.registry.all();
    // A pool member runs handlers for its worker, which published them (see lib/pool).
    if (definitions.length === 0 || isPoolMember()) return;
    await this.retry.run(async () => {
      const disagreements = await this.catalog.publish(definitions, this.options.defaults);
      for (const { task, difference } of disagreements) {
        this.logger.warn(
          `task "${task}" was published differently by another app: ${difference}; this ` +
            `app's declaration replaces it (the last app to start wins): producers without ` +
            `the handler now route it this way`,
        );
      }
    });
  }

  onModuleDestroy(): void {
    this.retry.stop();
  }
}
