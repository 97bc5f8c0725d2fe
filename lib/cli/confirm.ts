import { createInterface } from 'readline';
import { CliUsageError } from '../errors';
import { cellText } from '../core/terminal-text';

function hasTerminal(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/**
 * Refuses a destructive command up front, before Redis is reached, when there is neither
 * `--yes` nor a terminal to ask on: a script must say `--yes`.
 */
export function checkConfirmable(action: string, yes: boolean | undefined): void {
  if (!yes && !hasTerminal()) {
    throw new CliUsageError(
      `${action} needs confirmation and there is no terminal to ask on: pass --yes`,
    );
  }
}

/**
 * Whether to go on with a destructive command: yes with `--yes`, else the person at the
 * terminal is asked (default no; Ctrl-C or Ctrl-D is a no).
 */
export async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  checkConfirmable(question, yes);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      prompt.once('SIGINT', () => resolve(''));
      prompt.once('close', () => resolve(''));
      prompt.question(`${cellText(question)}? [y/N] `, resolve);
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
