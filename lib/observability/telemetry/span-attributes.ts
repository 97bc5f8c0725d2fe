/**
 * OpenTelemetry messaging semantic conventions (stable names since semconv 1.26), written out
 * here so that telemetry needs `@opentelemetry/api` alone.
 */
export const ATTR = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  messageId: 'messaging.message.id',
  operationName: 'messaging.operation.name',
  operationType: 'messaging.operation.type',
  /** taskmill's own: the task name, the run's attempt (from 1), and how the run ended. */
  taskName: 'taskmill.task.name',
  attempt: 'taskmill.task.attempt',
  outcome: 'taskmill.task.outcome',
  retryDelayMs: 'taskmill.retry.delay_ms',
} as const;

export const MESSAGING_SYSTEM = 'taskmill';

/** Span names: `<operation> <queue>`, as the conventions name messaging spans. */
export const SEND = 'send';
export const PROCESS = 'process';

/** The attributes both spans of a task carry: system, queue, task id and name, operation. */
export function messagingAttributes(
  operation: typeof SEND | typeof PROCESS,
  task: { id: string; queue: string; name: string },
): Record<string, string> {
  return {
    [ATTR.system]: MESSAGING_SYSTEM,
    [ATTR.destination]: task.queue,
    [ATTR.messageId]: task.id,
    [ATTR.operationName]: operation,
    [ATTR.operationType]: operation,
    [ATTR.taskName]: task.name,
  };
}
