import { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';

/** A decorated method found on a provider, as the explorer hands it to the binder. */
export interface DiscoveredMethod {
  wrapper: InstanceWrapper;
  /** The provider's instance (for a request-scoped one: Nest's prototype placeholder). */
  instance: object;
  methodName: string;
  /** `ClassName.methodName`, for messages. */
  source: string;
}

/** A task handler as the worker calls it: with the task's arguments, spread. */
export type TaskHandler = (...args: unknown[]) => unknown;

/**
 * Turns discovered methods into the calls the worker and the hooks make. Declared here and
 * implemented above (lib/enhancers), so that discovery need not import the worker whose task
 * context the implementation reads.
 */
export abstract class MethodBinder {
  abstract taskHandler(method: DiscoveredMethod, taskName: string): TaskHandler;
  abstract hookCall(method: DiscoveredMethod): (context: unknown) => unknown;
}
