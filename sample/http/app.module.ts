import { DynamicModule, Module } from '@nestjs/common';
import { QueueModule } from '../../lib';
import { TaskLoggingInterceptor } from './task-logging.interceptor';
import { ThumbnailService } from './thumbnail.service';
import { ThumbnailsController } from './thumbnails.controller';

/** An HTTP app that enqueues from a controller and runs the tasks in the same process. */
@Module({})
export class HttpSampleModule {
  static forRedis(url: string, prefix = 'taskmill-sample-http'): DynamicModule {
    return {
      module: HttpSampleModule,
      imports: [QueueModule.forRoot({ connection: url, prefix, defaults: { resultTtl: 600_000 } })],
      controllers: [ThumbnailsController],
      providers: [ThumbnailService, TaskLoggingInterceptor],
    };
  }
}
