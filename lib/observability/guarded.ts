import { Logger } from '@nestjs/common';

const logger = new Logger('taskmill:Observability');

/**
 * `fn`, made unable to throw: metrics and telemetry run inside the worker's own calls, where
 * an exception (a span processor that throws, a registry in a bad state) would stop the run or
 * the loop. The error is logged instead, once per message so that it cannot flood the log.
 */
export function guarded<A extends unknown[]>(
  what: string,
  fn: (...args: A) => void,
): (...args: A) => void {
  const logged = new Set<string>();
  return (...args: A) => {
    try {
      fn(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (logged.has(message) || logged.size >= 100) return;
      logged.add(message);
      logger.error(`${what} threw (the worker goes on): ${message}`, (error as Error)?.stack);
    }
  };
}
