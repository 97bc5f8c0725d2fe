import { Command } from 'commander';
import { QueueService } from '../../queue/queue.service';
import { withAdmin } from '../admin-app';
import {
  ConfirmFlags,
  ConnectionFlags,
  OutputFlags,
  withConnection,
  withJson,
  withYes,
} from '../cli-options';
import { confirmedChange } from '../confirmed-change';
import { print } from '../output';
import { progressBar } from '../progress-bar';

type Flags = ConnectionFlags & OutputFlags & ConfirmFlags;

/** How often a drain's progress is measured, on a terminal only. */
const POLL_MS = 200;

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
  withJson(withConnection(command)).action((queueName: string, flags: Flags) =>
    withAdmin(flags, async ({ queue }) => {
      const changed = paused ? await queue.pause(queueName) : await queue.resume(queueName);
      const unchanged = paused ? 'was paused already' : 'was not paused';
      print(flags.json, { queue: queueName, paused, changed }, () =>
        changed ? `Queue "${queueName}" ${name}d.\n` : `Queue "${queueName}" ${unchanged}.\n`,
      );
    }),
  );
}

/**
 * Drains the queue: one API call, which cancels in batches. On a terminal, its progress is read
 * meanwhile from the queue's counts (what is still waiting or delayed).
 */
async function drainWithProgress(queue: QueueService, name: string): Promise<number> {
  const before = await queue.stats(name);
  const total = before.waiting + before.delayed;
  const bar = progressBar(`Draining ${name}`, total);
  const poll = bar.visible
    ? setInterval(() => {
        queue.stats(name).then(
          (now) => bar.update(Math.max(0, total - now.waiting - now.delayed)),
          () => undefined, // the drain's own outcome is what counts
        );
      }, POLL_MS)
    : undefined;
  try {
    const cancelled = await queue.drain(name);
    bar.finish(Math.min(total, cancelled));
    return cancelled;
  } finally {
    clearInterval(poll);
  }
}

/** `taskmill drain <queue>`: cancels every waiting and delayed task. */
function registerDrain(program: Command): void {
  const command = program
    .command('drain')
    .description('cancel every waiting and delayed task of the queue (running ones go on)')
    .argument('<queue>');
  withYes(withJson(withConnection(command))).action((name: string, flags: Flags) => {
    const question = `Cancel every waiting and delayed task of "${name}"`;
    return confirmedChange(flags, 'drain', name, question, async ({ queue }) => {
      const cancelled = await drainWithProgress(queue, name);
      print(flags.json, { queue: name, cancelled }, () => `Cancelled ${cancelled} task(s).\n`);
    });
  });
}

export function registerControl(program: Command): void {
  registerPauseResume(program, true);
  registerPauseResume(program, false);
  registerDrain(program);
}
