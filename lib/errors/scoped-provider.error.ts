import { TaskmillError } from './taskmill.error';

/**
 * A run of a task whose provider is request-scoped (or depends on one) could not build that
 * provider for the run: this attempt fails (and is retried per the task's policy).
 */
export class ScopedProviderError extends TaskmillError {
  constructor(
    readonly taskName: string,
    readonly provider: string,
    override readonly cause: unknown,
  ) {
    super(
      `Task "${taskName}" could not run: building its request-scoped provider ${provider} ` +
        `(or a provider it depends on) for this run failed: ${describe(cause)}. Fix that ` +
        `provider's constructor or factory, or make it a singleton.`,
    );
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
