import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Registry } from 'prom-client';

/** The prom-client registry the app's metrics (taskmill's included) are kept in. */
export const METRICS_REGISTRY = 'METRICS_REGISTRY';

/** `GET /metrics`: what Prometheus scrapes. */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
