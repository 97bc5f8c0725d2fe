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
import { Schedules } from './schedules';

/**
 * Registers the schedules declared with `@Task({ schedule })` when the application starts.
 * In the background: like the worker, an app must start while Redis is down; registration is
 * retried until it succeeds (it is idempotent, so every instance of the app may do it).
 */
@Injectable()
export class ScheduleRegistrar implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly retry: BackgroundRetry;

  constructor(
    @Inject(RESOLVED_OPTIONS) options: ResolvedModuleOptions,
    private readonly registry: TaskRegistry,
    private readonly schedules: Schedules,
  ) {
    this.retry = new BackgroundRetry(
      new Logger('taskmill:ScheduleRegistrar'),
      'register the @Task schedules',
      options.blockingTimeoutMs,
    );
  }

  onApplicationBootstrap(): void {
    if (isPoolMember()) return;
    const declared = this.registry.all().filter((task) => task.schedule);
    if (declared.length === 0) return;
    void this.retry.run(async () => {
      for (const task of declared) await this.schedules.register(task.name, task.schedule ?? {});
    });
  }

  onModuleDestroy(): void {
    this.retry.stop();
  }
}
