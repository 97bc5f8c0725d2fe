/**
 * A prom-client `Registry` (typed by the methods taskmill uses, so that the options compile in
 * apps without prom-client's types).
 */
export interface MetricsRegistry {
  getSingleMetric(name: string): unknown;
  registerMetric(metric: never): void;
  metrics(): Promise<string>;
}

/** `metrics` as an object: where the metrics are registered. */
export interface MetricsOptions {
  /** Default: prom-client's default registry (`register`). */
  registry?: MetricsRegistry;
}

/** The `metrics` option after validation: undefined when metrics are off. */
export interface ResolvedMetricsOptions {
  registry: MetricsRegistry | undefined;
}
