import {
  CanActivate,
  Controller,
  Type,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { DashboardErrorsFilter } from './dashboard-errors.filter';
import { SecurityHeadersInterceptor } from './security-headers.interceptor';

/**
 * A controller of the dashboard mounted at `base`, behind `access` (none for 'public'): a
 * subclass per forRoot() call, so that two dashboards (two paths, two guards) never share
 * the metadata that decides routes and guards.
 */
export function mountController(
  controller: Type<object>,
  base: string,
  access: Type<CanActivate> | undefined,
): Type<object> {
  const mounted = class extends controller {};
  Object.defineProperty(mounted, 'name', { value: `Taskmill${controller.name}` });
  Controller(base)(mounted);
  UseFilters(DashboardErrorsFilter)(mounted);
  UseInterceptors(SecurityHeadersInterceptor)(mounted);
  if (access) UseGuards(access)(mounted);
  return mounted;
}
