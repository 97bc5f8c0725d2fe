import type * as OtelApi from '@opentelemetry/api';

/**
 * A span's context as a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), the form a task
 * stores it in. Written by taskmill itself rather than through the app's propagator, so that it
 * travels with the task whatever propagators the app registered (none, B3, …).
 */
export function toTraceparent(context: OtelApi.SpanContext): string {
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote span context a stored traceparent names; undefined when it is not one. */
export function fromTraceparent(text: string): OtelApi.SpanContext | undefined {
  const match = TRACEPARENT.exec(text);
  if (!match) return undefined;
  return {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16),
    isRemote: true,
  };
}
