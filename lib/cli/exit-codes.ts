import { CommanderError } from 'commander';
import { CliUsageError, InvalidOptionsError, QueueRequiredError } from '../errors';

/** What scripts can rely on: 0 done, 1 failed (Redis, an unknown queue or task), 2 misused. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The exit code for an error that ended a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help, `help <command>` and --version end the parse with a CommanderError too, of exit
    // code 0; help shown for a missing command has another.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const usage =
    error instanceof CliUsageError ||
    error instanceof InvalidOptionsError ||
    error instanceof QueueRequiredError;
  return usage ? EXIT.usage : EXIT.failure;
}
