import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
} from '@nestjs/common/constants';
import { ApplicationConfig } from '@nestjs/core';
import { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';

/** Which kinds of enhancer apply to a method: its own, its class's and the app's global ones. */
export interface BoundEnhancers {
  guards: boolean;
  interceptors: boolean;
  filters: boolean;
  pipes: boolean;
  /** The app's request-scoped global enhancers: built per run, so every run needs a context. */
  scopedGlobals: InstanceWrapper[];
}

/**
 * Reads, once per method at startup, the enhancers that Nest would apply to it, so that a
 * handler with none keeps its plain method call (no context creator on the hot path).
 */
export function boundEnhancers(
  instance: object,
  method: object,
  config: ApplicationConfig,
): BoundEnhancers {
  const declared = (key: string) =>
    hasItems(Reflect.getMetadata(key, method)) ||
    hasItems(Reflect.getMetadata(key, instance.constructor));
  const scoped = {
    guards: config.getGlobalRequestGuards(),
    interceptors: config.getGlobalRequestInterceptors(),
    filters: config.getGlobalRequestFilters(),
    pipes: config.getGlobalRequestPipes(),
  };
  const guards = scoped.guards.length > 0;
  const interceptors = scoped.interceptors.length > 0;
  const filters = scoped.filters.length > 0;
  const pipes = scoped.pipes.length > 0;
  return {
    guards: guards || config.getGlobalGuards().length > 0 || declared(GUARDS_METADATA),
    interceptors:
      interceptors || config.getGlobalInterceptors().length > 0 || declared(INTERCEPTORS_METADATA),
    filters:
      filters || config.getGlobalFilters().length > 0 || declared(EXCEPTION_FILTERS_METADATA),
    pipes: pipes || config.getGlobalPipes().length > 0 || declared(PIPES_METADATA),
    scopedGlobals: [
      ...scoped.guards,
      ...scoped.interceptors,
      ...scoped.filters,
      ...scoped.pipes,
    ] as InstanceWrapper[],
  };
}

/** True when any kind of enhancer applies. */
export function anyEnhancer(bound: BoundEnhancers): boolean {
  return bound.guards || bound.interceptors || bound.filters || bound.pipes;
}

function hasItems(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}
