import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TaskExplorer } from '../discovery/task.explorer';
import { CatalogPublisher } from '../catalog/catalog-publisher';
import { TaskRegistry } from '../discovery/task.registry';
import { LockService } from '../locks/lock.service';
import { HookInvoker } from '../hooks/hook-invoker';
import { HookRegistry } from '../hooks/hook.registry';
import { QueueService } from '../queue/queue.service';
import { ResultStore } from '../results/result-store';
import { ScheduleRegistrar } from '../scheduling/schedule-registrar';
import { StatusTracker } from '../status/status-tracker';
import { WorkerService } from '../worker/worker.service';
import { TaskmillHealthIndicator } from '../observability/health/taskmill-health.indicator';
import { TaskMetrics } from '../observability/metrics/task-metrics';
import { TaskTracing } from '../observability/telemetry/task-tracing';
import { EnqueueWrappers } from '../queue/enqueue-wrappers';
import { RunWrappers } from '../worker/run-wrappers';
import { ConnectionLifecycle } from './connection-lifecycle';
import { MethodBinder } from '../discovery/method-binder';
import { NestMethodBinder } from '../enhancers/nest-method-binder';
import { TaskContextCreator } from '../enhancers/task-context-creator';
import { RunScopes } from '../scopes/run-scopes';
import { taskRefProvider } from '../scopes/task-ref.provider';
import { TASK_REF } from '../constants';
import { coreProviders } from './providers';
import { QueueModuleOptions } from '../options/module.options';
import {
  ConfigurableQueueModule,
  QUEUE_MODULE_ASYNC_OPTIONS_TYPE,
  QueueModuleAsyncOptions,
} from './queue.module-definition';

/**
 * Durable background tasks on Redis.
 * @example
 * ＠Module({ imports: [QueueModule.forRoot({ connection: 'redis://localhost:6379' })] })
 * class AppModule {}
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    ...coreProviders,
    TaskRegistry,
    HookRegistry,
    HookInvoker,
    TaskExplorer,
    { provide: MethodBinder, useClass: NestMethodBinder },
    TaskContextCreator,
    RunScopes,
    taskRefProvider,
    QueueService,
    WorkerService,
    ScheduleRegistrar,
    CatalogPublisher,
    LockService,
    ConnectionLifecycle,
    RunWrappers,
    EnqueueWrappers,
    TaskMetrics,
    TaskTracing,
    TaskmillHealthIndicator,
  ],
  exports: [
    QueueService,
    WorkerService,
    StatusTracker,
    ResultStore,
    LockService,
    TaskmillHealthIndicator,
    TASK_REF,
  ],
})
export class QueueModule extends ConfigurableQueueModule {
  /**
   * The options from a factory (with `imports` and `inject`, or `useClass`/`useExisting`),
   * validated at startup like `forRoot`'s. The factory's result is type-checked as exactly as
   * an object literal given to `forRoot`.
   * @example
   * QueueModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ connection: config.get('REDIS_URL') }),
   * })
   */
  static override forRootAsync<O extends QueueModuleOptions>(
    options: QueueModuleAsyncOptions<O>,
  ): DynamicModule {
    return super.forRootAsync(options as typeof QUEUE_MODULE_ASYNC_OPTIONS_TYPE);
  }
}
