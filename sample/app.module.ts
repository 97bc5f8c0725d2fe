import { DynamicModule, Module } from '@nestjs/common';
import { QueueModule } from '../lib';
import { ImportService } from './tasks/import.service';
import { InvoiceService } from './tasks/invoice.service';
import { ReportService } from './tasks/report.service';

/**
 * The sample application: QueueModule plus three providers with @Task handlers. The Redis URL
 * is only known at run time (a private server may be started first), hence `forRedis(url)`.
 */
@Module({})
export class AppModule {
  static forRedis(url: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        QueueModule.forRoot({
          connection: url,
          // Its own key namespace: the sample never sees or touches other taskmill data.
          prefix: 'taskmill-sample',
          // Results are only read during the run; no need to keep them for a day.
          defaults: { resultTtl: 60_000 },
          // A Redis that does not answer within 2 s fails the start with a ConnectionError
          // naming its host and port (the default waits 10 s).
          connectTimeoutMs: 2_000,
          // main.ts starts the worker itself, once it follows every task, so the output shows
          // each task from SUBMITTED on. A real worker app leaves this on (the default).
          worker: { enabled: false },
        }),
      ],
      providers: [ReportService, InvoiceService, ImportService],
    };
  }
}
