import { Command, InvalidArgumentError, Option } from 'commander';
import type { KeyLayout } from '../options/key-layout';

/** The options every command that reads or changes queues takes. */
export interface ConnectionFlags {
  redis?: string;
  prefix: string;
  keyLayout: KeyLayout;
  connectTimeout: number;
}

export interface OutputFlags {
  json?: boolean;
}

export interface ConfirmFlags {
  yes?: boolean;
}

/** A commander parser for an integer flag or argument within bounds. */
export function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || number < min || number > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}.`);
    }
    return number;
  };
}

/**
 * Where the app's queues are. The URL's default is read when connecting, not shown in --help:
 * REDIS_URL may hold a password.
 */
export function withConnection(command: Command): Command {
  return command
    .option('--redis <url>', 'Redis URL (default: $REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', "the app's key prefix", 'taskmill')
    .addOption(
      new Option('--key-layout <layout>', "the app's keyLayout option")
        .choices(['auto', 'prefix', 'queue'])
        .default('auto'),
    )
    .option(
      '--connect-timeout <ms>',
      'give up on an unreachable Redis after this long',
      integer(10, 600_000),
      3_000,
    );
}

/** `--json`: output for scripts, in the shapes docs/cli.md documents. */
export function withJson(command: Command): Command {
  return command.option('--json', 'print JSON (shapes in docs/cli.md)');
}

/** What a command that changes queues takes: where they are, `--json` and `--yes`. */
export type ChangeFlags = ConnectionFlags & OutputFlags & ConfirmFlags;

/** The options of a command that changes queues (`--yes`: run without asking). */
export function withChangeOptions(command: Command): Command {
  return withJson(withConnection(command)).option(
    '-y, --yes',
    'do it without asking for confirmation',
  );
}

/** `--offset` and `--limit` of a paged listing (limits of QueueService.list). */
export function withPaging(command: Command): Command {
  return command
    .option('--offset <n>', 'skip this many', integer(0, Number.MAX_SAFE_INTEGER), 0)
    .option('--limit <n>', 'show at most this many (1 to 1000)', integer(1, 1000), 20);
}
