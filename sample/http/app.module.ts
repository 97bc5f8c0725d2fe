import { DynamicModule, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { QueueModule } from '../../lib';
import { METRICS_REGISTRY, MetricsController } from './metrics.controller';
import { TaskLoggingInterceptor } from './task-logging.interceptor';
import { ThumbnailService } from './thumbnail.service';
import { ThumbnailsController } from './thumbnails.controller';

/**
 * An HTTP app that enqueues from a controller and runs the tasks in the same process, with
 * taskmill's metrics served at /metrics (a registry of its own: two apps in one process, as in
 * the tests, keep their counts apart).
 */
@Module({})
export class HttpSampleModule {
  static forRedis(url: string, prefix = 'taskmill-sample-http'): DynamicModule {
    const registry = new Registry();
    return {
      module: HttpSampleModule,
      imports: [
        QueueModule.forRoot({
          connection: url,
          prefix,
          defaults: { resultTtl: 600_000 },
          metrics: { registry },
        }),
      ],
      controllers: [ThumbnailsController, MetricsController],
      providers: [
        ThumbnailService,
        TaskLoggingInterceptor,
        { provide: METRICS_REGISTRY, useValue: registry },
      ],
    };
  }
}
