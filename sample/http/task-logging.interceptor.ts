import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { TaskContext, TASKMILL_CONTEXT_TYPE } from '../../lib';

/**
 * Logs each run of a task with its duration, as an app's request-logging interceptor does for
 * its controllers. In a task's context `getArgByIndex(0)` is the arguments, `(1)` the run.
 */
@Injectable()
export class TaskLoggingInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Tasks');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== TASKMILL_CONTEXT_TYPE) return next.handle();
    const run = context.getArgByIndex<TaskContext>(1);
    const label = `${run.name} ${run.id} (attempt ${run.attempt})`;
    const started = Date.now();
    this.logger.log(`${label} started`);
    return next.handle().pipe(
      tap({
        next: () => this.logger.log(`${label} succeeded in ${Date.now() - started} ms`),
        error: (error: Error) => this.logger.warn(`${label} failed: ${error.message}`),
      }),
    );
  }
}
