import { Command } from 'commander';
import type { QueueCounts } from '../../broker/queue-snapshot';
import { QueueService } from '../../queue/queue.service';
import { ChangeFlags, withChangeOptions } from '../cli-options';
import { confirmedChange } from '../confirmed-change';
import { print } from '../output';
import { progressBar, whilePolling } from '../progress-bar';

interface ObliterateFlags extends ChangeFlags {
  force?: boolean;
}

const queued = ({ waiting, delayed, running, deadLettered }: QueueCounts) =>
  waiting + delayed + running + deadLettered;

/**
 * Deletes the queue; on a terminal, the bar follows the count of its queued and dead tasks
 * (finished tasks' records are deleted too, uncounted). Once the queue is gone its counts can no
 * longer be read: the bar then waits for the call's end.
 */
async function obliterateWithProgress(
  queue: QueueService,
  name: string,
  force: boolean,
): Promise<number> {
  const total = queued(await queue.stats(name));
  const bar = progressBar(`Obliterating ${name}`, total);
  const measure = async () => Math.max(0, total - queued(await queue.stats(name)));
  const deleted = await whilePolling(bar, measure, () => queue.obliterate(name, { force }));
  bar.finish(total);
  return deleted;
}

/** `taskmill obliterate <queue>`: deletes everything of a queue. */
export function registerObliterate(program: Command): void {
  const command = program
    .command('obliterate')
    .description('delete everything of the queue: its tasks (finished ones too), events and keys')
    .argument('<queue>')
    .option('--force', 'even while tasks of it run (their outcomes are then dropped)');
  withChangeOptions(command).action((name: string, flags: ObliterateFlags) => {
    const question = `Delete queue "${name}" with all its tasks${flags.force ? ', running ones too' : ''}`;
    return confirmedChange(flags, 'obliterate', name, question, async ({ queue }) => {
      const deleted = await obliterateWithProgress(queue, name, flags.force ?? false);
      print(
        flags.json,
        { queue: name, deleted },
        () => `Deleted queue "${name}" and ${deleted} task record(s).\n`,
      );
    });
  });
}
