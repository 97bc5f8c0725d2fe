import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  InvalidOptionsError,
  QueueBusyError,
  QueueRequiredError,
  TaskmillError,
  TaskNotFoundError,
  UnknownQueueError,
} from '../errors';

/** What the JSON API answers for a failed request. */
export interface DashboardErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const logger = new Logger('taskmill:Dashboard');

/**
 * Turns taskmill's errors into JSON answers with the status that says what went wrong (404 for
 * an unknown queue or task, 409 for a busy queue, 400 for bad input). Messages are the errors'
 * own: they name what was wrong and what to do.
 */
@Catch()
export class DashboardErrorsFilter implements ExceptionFilter {
  constructor(private readonly host: HttpAdapterHost) {}

  catch(error: unknown, context: ArgumentsHost): void {
    const body = errorBody(error);
    if (body.statusCode >= 500) logger.error(error instanceof Error ? error.stack : error);
    const response: unknown = context.switchToHttp().getResponse();
    this.host.httpAdapter.reply(response, body, body.statusCode);
  }
}

export function errorBody(error: unknown): DashboardErrorBody {
  if (error instanceof HttpException) {
    const answer = error.getResponse();
    const message = typeof answer === 'string' ? answer : (answer as { message?: unknown }).message;
    const name = typeof answer === 'object' ? (answer as { error?: unknown }).error : undefined;
    return {
      statusCode: error.getStatus(),
      error: typeof name === 'string' ? name : error.name,
      message: Array.isArray(message) ? message.join('; ') : String(message ?? error.message),
    };
  }
  if (error instanceof TaskmillError) {
    return { statusCode: statusOf(error), error: error.name, message: error.message };
  }
  return {
    statusCode: 500,
    error: 'InternalError',
    message: 'The dashboard failed; see the logs.',
  };
}

function statusOf(error: TaskmillError): number {
  if (error instanceof TaskNotFoundError || error instanceof UnknownQueueError) return 404;
  if (error instanceof QueueBusyError) return 409;
  if (error instanceof InvalidOptionsError || error instanceof QueueRequiredError) return 400;
  return 503;
}
