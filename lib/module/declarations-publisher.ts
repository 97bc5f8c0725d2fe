import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { TaskCatalog } from '../catalog/task-catalog';
import { RESOLVED_OPTIONS } from '../constants';
import { isPoolMember } from '../core/pool-member';
import { TaskDefinition, TaskRegistry } from '../discovery/task.registry';
import { ResolvedModuleOptions } from '../options/module.options';
import { BackgroundRetry } from '../redis/background-retry';
import { Schedules } from '../scheduling/schedules';

/**
 * Writes what this app's `@Task`s declare to Redis when it starts: the task catalog (so that
 * producers without a handler route its tasks) and the `@Task({ schedule })` schedules. Each
 * is idempotent, so every instance of the app does it, and each is retried in the background
 * while Redis is down (an app must start then). The catalog's first try is awaited, so that a
 * producer started after this app finds its tasks. A pool member writes nothing: its worker,
 * which runs the same module, did (see lib/pool).
 */
@Injectable()
export class DeclarationsPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly catalogLog = new Logger('taskmill:TaskCatalog');
  private readonly catalogRetry: BackgroundRetry;
  private readonly scheduleRetry: BackgroundRetry;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedModuleOptions,
    private readonly registry: TaskRegistry,
    private readonly catalog: TaskCatalog,
    private readonly schedules: Schedules,
  ) {
    const every = options.blockingTimeoutMs;
    this.catalogRetry = new BackgroundRetry(this.catalogLog, 'publish the task catalog', every);
    this.scheduleRetry = new BackgroundRetry(
      new Logger('taskmill:ScheduleRegistrar'),
      'register the @Task schedules',
      every,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const definitions = this.registry.all();
    if (definitions.length === 0 || isPoolMember()) return;
    const scheduled = definitions.filter((task) => task.schedule);
    if (scheduled.length > 0) void this.scheduleRetry.run(() => this.registerSchedules(scheduled));
    await this.catalogRetry.run(() => this.publishCatalog(definitions));
  }

  onModuleDestroy(): void {
    this.catalogRetry.stop();
    this.scheduleRetry.stop();
  }

  private async publishCatalog(definitions: TaskDefinition[]): Promise<void> {
    const disagreements = await this.catalog.publish(definitions, this.options.defaults);
    for (const { task, difference } of disagreements) {
      this.catalogLog.warn(
        `task "${task}" was published differently by another app: ${difference}; this ` +
          `app's declaration replaces it (the last app to start wins): producers without ` +
          `the handler now route it this way`,
      );
    }
  }

  private async registerSchedules(scheduled: TaskDefinition[]): Promise<void> {
    for (const task of scheduled) await this.schedules.register(task.name, task.schedule ?? {});
  }
}
