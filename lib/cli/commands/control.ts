import { Command } from 'commander';
import type { QueueCounts } from '../../broker/queue-snapshot';
import { QueueService } from '../../queue/queue.service';
import { withAdmin } from '../admin-app';
import { ChangeFlags, withChangeOptions, withConnection, withJson } from '../cli-options';
import { confirmedChange } from '../confirmed-change';
import { print } from '../output';
import { progressBar, whilePolling } from '../progress-bar';

/** `taskmill pause|resume <queue>`: workers stop or start claiming from the queue. */
function registerPauseResume(program: Command, paused: boolean): void {
  const name = paused ? 'pause' : 'resume';
  const command = program
    .command(name)
    .description(
      paused
        ? 'workers stop claiming from the queue (running tasks finish, enqueues still land)'
        : 'workers claim from the queue again',
    )
    .argument('<queue>');
  withJson(withConnection(command)).action((queueName: string, flags: ChangeFlags) =>
    withAdmin(flags, async ({ queue }) => {
      const changed = paused ? await queue.pause(queueName) : await queue.resume(queueName);
      const unchanged = paused ? 'was paused already' : 'was not paused';
      print(flags.json, { queue: queueName, paused, changed }, () =>
        changed ? `Queue "${queueName}" ${name}d.\n` : `Queue "${queueName}" ${unchanged}.\n`,
      );
    }),
  );
}

/** Cancels the queue's waiting and delayed tasks; on a terminal, the bar follows their count. */
async function drainWithProgress(queue: QueueService, name: string): Promise<number> {
  const left = ({ waiting, delayed }: QueueCounts) => waiting + delayed;
  const total = left(await queue.stats(name));
  const bar = progressBar(`Draining ${name}`, total);
  const measure = async () => Math.max(0, total - left(await queue.stats(name)));
  const cancelled = await whilePolling(bar, measure, () => queue.drain(name));
  bar.finish(Math.min(total, cancelled));
  return cancelled;
}

/** `taskmill drain <queue>`: cancels every waiting and delayed task. */
function registerDrain(program: Command): void {
  const command = program
    .command('drain')
    .description('cancel every waiting and delayed task of the queue (running ones go on)')
    .argument('<queue>');
  withChangeOptions(command).action((name: string, flags: ChangeFlags) => {
    const question = `Cancel every waiting and delayed task of "${name}"`;
    return confirmedChange(flags, 'drain', name, question, async ({ queue }) => {
      const cancelled = await drainWithProgress(queue, name);
      print(flags.json, { queue: name, cancelled }, () => `Cancelled ${cancelled} task(s).\n`);
    });
  });
}

/** `taskmill pause|resume|drain <queue>`. */
export function registerControl(program: Command): void {
  registerPauseResume(program, true);
  registerPauseResume(program, false);
  registerDrain(program);
}
