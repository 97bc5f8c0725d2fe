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
import { Schedules } from './schedules';

/**
 * Registers the schedules declared with `@Task({ schedule })` when the application starts.
 * In the background: like the worker, an app must start while Redis is down; registration is
 * retried until it succeeds (it is idempotent, so every instance of the app may do it).
 */
@Injectable()
export class ScheduleRegistrar implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('taskmill:ScheduleRegistrar');
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedModuleOptions,
    private readonly registry: TaskRegistry,
    private readonly schedules: Schedules,
  ) {}

  onApplicationBootstrap(): void {
    if (isPoolMember()) return;
    const declared = this.registry.all().filter((task) => task.schedule);
    if (declared.length > 0) void this.register(declared);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async register(declared: ReturnType<TaskRegistry['all']>): Promise<void> {
    try {
      for (const task of declared) await this.schedules.register(task.name, task.schedule ?? {});
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn(
        `could not register the @Task schedules yet, retrying: ${(error as Error).message}`,
      );
      this.retry = setTimeout(() => void this.register(declared), this.options.blockingTimeoutMs);
      this.retry.unref();
    }
  }
}
