import { Admin, withAdmin } from './admin-app';
import { ConfirmFlags, ConnectionFlags } from './cli-options';
import { checkConfirmable, confirm } from './confirm';
import { EXIT } from './exit-codes';

/**
 * Runs a destructive command: refused before Redis is reached when it cannot be confirmed, then
 * the queue is looked up (an unknown one fails before any question), then the person at the
 * terminal is asked unless `--yes`. A no changes nothing and exits 1.
 */
export function confirmedChange(
  flags: ConnectionFlags & ConfirmFlags,
  command: string,
  queue: string,
  question: string,
  change: (admin: Admin) => Promise<void>,
): Promise<void> {
  checkConfirmable(command, flags.yes);
  return withAdmin(flags, async (admin) => {
    await admin.queue.stats(queue);
    if (await confirm(question, flags.yes)) return change(admin);
    process.stderr.write('Nothing was changed.\n');
    process.exitCode = EXIT.failure;
  });
}
