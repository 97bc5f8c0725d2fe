import { Command } from 'commander';
import type { DeadLetter } from '../../queue/dead-letters';
import { QueueService } from '../../queue/queue.service';
import { withAdmin } from '../admin-app';
import {
  ConfirmFlags,
  ConnectionFlags,
  OutputFlags,
  withConnection,
  withJson,
  withPaging,
  withYes,
} from '../cli-options';
import { checkConfirmable, confirm } from '../confirm';
import { declined } from '../declined';
import { print, relativeTime, tableOrNone } from '../output';
import { progressBar } from '../progress-bar';

interface ListFlags extends ConnectionFlags, OutputFlags {
  offset: number;
  limit: number;
}

interface ChangeFlags extends ConnectionFlags, OutputFlags, ConfirmFlags {
  id?: string[];
}

const COLUMNS = [
  { header: 'ID' },
  { header: 'TASK' },
  { header: 'ATTEMPTS', right: true },
  { header: 'FAILED' },
  { header: 'ERROR' },
];

function cells(letter: DeadLetter): string[] {
  const { id, task, attempt, failedAt, error } = letter;
  const why = error ? `${error.name}: ${error.message}` : '';
  return [id, task, String(attempt), relativeTime(failedAt), why];
}

/**
 * Runs `step` (one call of requeueDead or purgeDead: up to 1 000 of the oldest) until the
 * `total` failed tasks there were at the start are done: tasks that fail meanwhile do not keep
 * it going for ever. Returns how many each call handled, summed.
 */
async function inBatches(
  label: string,
  total: number,
  step: () => Promise<number>,
): Promise<number> {
  const bar = progressBar(label, total);
  let done = 0;
  while (done < total) {
    const count = await step();
    if (count === 0) break;
    done += count;
    bar.update(Math.min(done, total));
  }
  bar.finish(Math.min(done, total));
  return done;
}

/** How many failed tasks `queue` has; UnknownQueueError for a queue that never had a task. */
async function deadCount(queue: QueueService, name: string): Promise<number> {
  return (await queue.stats(name)).deadLettered;
}

async function requeue(queue: QueueService, name: string, ids: string[] | undefined) {
  if (ids) return queue.requeueDead(name, ids);
  const requeued: string[] = [];
  const total = await deadCount(queue, name);
  await inBatches(`Requeueing dead tasks of ${name}`, total, async () => {
    const batch = await queue.requeueDead(name);
    requeued.push(...batch);
    return batch.length;
  });
  return requeued;
}

async function purge(queue: QueueService, name: string, ids: string[] | undefined) {
  if (ids) return queue.purgeDead(name, ids);
  const total = await deadCount(queue, name);
  return inBatches(`Purging dead tasks of ${name}`, total, () => queue.purgeDead(name));
}

function what(ids: string[] | undefined, name: string): string {
  return ids ? `${ids.length} dead task(s) of "${name}"` : `every dead task of "${name}"`;
}

/** `taskmill dead list|requeue|purge <queue>`: a queue's failed tasks. */
export function registerDead(program: Command): void {
  const dead = program.command('dead').description("a queue's failed tasks (dead letters)");
  const list = dead.command('list').description('failed tasks, latest first').argument('<queue>');
  withPaging(withJson(withConnection(list))).action((name: string, flags: ListFlags) =>
    withAdmin(flags, async ({ queue }) => {
      await queue.stats(name); // an unknown queue is an error, not an empty list
      const letters = await queue.deadLetters(name, { offset: flags.offset, limit: flags.limit });
      print(flags.json, letters, () =>
        tableOrNone(COLUMNS, letters.map(cells), `no dead task in "${name}"`),
      );
    }),
  );

  const requeueCommand = dead
    .command('requeue')
    .description('run failed tasks again (all of them, or those given with --id)')
    .argument('<queue>')
    .option('--id <ids...>', 'only these tasks');
  withYes(withJson(withConnection(requeueCommand))).action((name: string, flags: ChangeFlags) => {
    checkConfirmable('dead requeue', flags.yes);
    return withAdmin(flags, async ({ queue }) => {
      await queue.stats(name);
      if (!(await confirm(`Requeue ${what(flags.id, name)}`, flags.yes))) return declined();
      const requeued = await requeue(queue, name, flags.id);
      print(flags.json, { queue: name, requeued }, () => `Requeued ${requeued.length} task(s).\n`);
    });
  });

  const purgeCommand = dead
    .command('purge')
    .description('delete failed tasks (all of them, or those given with --id)')
    .argument('<queue>')
    .option('--id <ids...>', 'only these tasks');
  withYes(withJson(withConnection(purgeCommand))).action((name: string, flags: ChangeFlags) => {
    checkConfirmable('dead purge', flags.yes);
    return withAdmin(flags, async ({ queue }) => {
      await queue.stats(name);
      if (!(await confirm(`Delete ${what(flags.id, name)}`, flags.yes))) return declined();
      const purged = await purge(queue, name, flags.id);
      print(flags.json, { queue: name, purged }, () => `Deleted ${purged} dead task(s).\n`);
    });
  });
}
