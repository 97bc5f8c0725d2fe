import { InvalidOptionsError } from '../errors';
import { checkBoolean, checkKnownKeys, describe, isPlainObject } from '../validation/checks';
import { MetricsRegistry, ResolvedMetricsOptions } from './observability.options';

/** `metrics`: true, false, or `{ registry? }` with a prom-client Registry. */
export function resolveMetrics(value: unknown): ResolvedMetricsOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { registry: undefined };
  if (!isPlainObject(value)) {
    throw new InvalidOptionsError(
      'metrics',
      `must be true, false or { registry } (a prom-client Registry), got ${describe(value)}`,
    );
  }
  checkKnownKeys(value, ['registry'], 'metrics');
  const { registry } = value;
  if (registry !== undefined && !isRegistry(registry)) {
    throw new InvalidOptionsError(
      'metrics.registry',
      `must be a prom-client Registry (new Registry() or register), got ${describe(registry)}`,
    );
  }
  return { registry: registry as MetricsRegistry | undefined };
}

/** `telemetry`: a boolean. */
export function resolveTelemetry(value: unknown): boolean {
  return value === undefined ? false : checkBoolean(value, 'telemetry');
}

function isRegistry(value: unknown): boolean {
  const candidate = value as Record<string, unknown> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    ['getSingleMetric', 'registerMetric', 'metrics'].every(
      (method) => typeof candidate[method] === 'function',
    )
  );
}
