import { DynamicModule, Module } from '@nestjs/common';
import { ActionGuard } from './action.guard';
import { ActionsController } from './actions.controller';
import { DashboardActions } from './dashboard-actions';
import { DASHBOARD_SETTINGS } from './dashboard.constants';
import { DashboardErrorsFilter } from './dashboard-errors.filter';
import { resolveDashboardOptions } from './dashboard-options.validator';
import { TaskmillDashboardOptions } from './dashboard.options';
import { DashboardReads } from './dashboard-reads';
import { HttpCheck } from './http-check';
import { LiveController } from './live.controller';
import { mountController } from './mount-controller';
import { PagesController } from './pages.controller';
import { ReadApiController } from './read-api.controller';
import { SecurityHeadersInterceptor } from './security-headers.interceptor';
import { ThroughputMeter } from './throughput-meter';

/**
 * The operator's web page, served by your Nest HTTP app (Express or Fastify): queues, tasks,
 * dead letters and schedules, live, with actions. It uses the QueueService of the app's
 * QueueModule. See docs/dashboard.md.
 * @example
 * ＠Module({
 *   imports: [
 *     QueueModule.forRoot({ connection: process.env.REDIS_URL }),
 *     TaskmillDashboardModule.forRoot({ path: '/taskmill', access: AdminGuard }),
 *   ],
 * })
 * class AppModule {}
 */
@Module({})
export class TaskmillDashboardModule {
  /** Mounts the dashboard at `path`, every route behind `access`. Bad options throw here. */
  static forRoot(options: TaskmillDashboardOptions): DynamicModule {
    const settings = resolveDashboardOptions(options);
    const access = settings.access === 'public' ? undefined : settings.access;
    return {
      module: TaskmillDashboardModule,
      controllers: [PagesController, ReadApiController, LiveController, ActionsController].map(
        (controller) => mountController(controller, settings.base, access),
      ),
      providers: [
        { provide: DASHBOARD_SETTINGS, useValue: settings },
        ThroughputMeter,
        DashboardReads,
        DashboardActions,
        ActionGuard,
        DashboardErrorsFilter,
        SecurityHeadersInterceptor,
        HttpCheck,
      ],
    };
  }
}
