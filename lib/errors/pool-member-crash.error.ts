import { TaskmillError } from './taskmill.error';

/** How a pool member ended while it ran a handler. */
export type PoolMemberEnd =
  | { kind: 'exit'; code: number | null; signal: string | null }
  | { kind: 'out-of-memory'; detail: string }
  | { kind: 'error'; detail: string };

/**
 * The thread or process that ran this attempt died before its handler finished: it exited
 * (`process.exit`, a crash, killed from outside), threw outside the handler, or ran out of
 * memory. The attempt fails and is retried as usual; the worker replaces the member.
 */
export class PoolMemberCrashError extends TaskmillError {
  constructor(
    readonly taskName: string,
    readonly mechanism: 'thread' | 'process',
    readonly end: PoolMemberEnd,
  ) {
    super(`Task "${taskName}" ran in a pool ${mechanism} that ${describeEnd(end)}`);
  }
}

function describeEnd(end: PoolMemberEnd): string {
  switch (end.kind) {
    case 'out-of-memory':
      return (
        `ran out of memory (${end.detail}) before the handler finished; raise ` +
        `worker.pool.resourceLimits or make the handler use less memory.`
      );
    case 'error':
      return (
        `died of an error thrown outside the handler's promise (${end.detail}); ` +
        `catch it in the handler (a timer or event callback that throws).`
      );
    case 'exit': {
      const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.code}`;
      return `${how} before the handler finished; the attempt is retried on a fresh member.`;
    }
  }
}
