import type * as OtelApi from '@opentelemetry/api';
import { WorkerEvent } from '../../core/worker-event';
import { ErrorDetails } from '../../errors';
import { ATTR } from './span-attributes';

type TaskEvent = Extract<WorkerEvent, { task: unknown }>;

/**
 * Marks a run's span with how the run ended: a retry or a failure sets the ERROR status and
 * records the error as an exception event; the outcome is an attribute either way.
 */
export function recordOutcome(api: typeof OtelApi, span: OtelApi.Span, event: TaskEvent): void {
  switch (event.type) {
    case 'task.succeeded':
      span.setAttribute(ATTR.outcome, 'succeeded');
      return;
    case 'task.retrying':
      span.setAttribute(ATTR.outcome, 'retrying');
      span.setAttribute(ATTR.retryDelayMs, event.delayMs);
      return failed(api, span, event.error);
    case 'task.failed':
      span.setAttribute(ATTR.outcome, 'failed');
      return failed(api, span, event.error);
    case 'task.cancelled':
      span.setAttribute(ATTR.outcome, 'cancelled');
      return;
    case 'task.released':
      span.setAttribute(ATTR.outcome, 'released');
      return;
    case 'task.lease-lost':
      span.setAttribute(ATTR.outcome, 'lease-lost');
      span.setStatus({
        code: api.SpanStatusCode.ERROR,
        message: 'the lease expired and a newer attempt owns the task',
      });
      return;
    default:
      return;
  }
}

function failed(api: typeof OtelApi, span: OtelApi.Span, error: ErrorDetails): void {
  span.recordException({ name: error.name, message: error.message, stack: error.stack });
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: `${error.name}: ${error.message}` });
}
