import { Command } from 'commander';
import type { DeadLetter } from '../../queue/dead-letters';
import { QueueService } from '../../queue/queue.service';
import { withAdmin } from '../admin-app';
import {
  ChangeFlags,
  ConnectionFlags,
  OutputFlags,
  withChangeOptions,
  withConnection,
  withJson,
  withPaging,
} from '../cli-options';
import { confirmedChange } from '../confirmed-change';
import { print, relativeTime, tableOrNone } from '../output';
import { progressBar } from '../progress-bar';

interface ListFlags extends ConnectionFlags, OutputFlags {
  offset: number;
  limit: number;
}

interface DeadChangeFlags extends ChangeFlags {
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
 * it going for ever. Returns how many the calls handled.
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

/** One of `dead requeue` and `dead purge`: all of a queue's failed tasks, or the `--id` ones. */
interface DeadChange<R> {
  name: string;
  description: string;
  /** The question's verb, and the progress bar's. */
  verb: string;
  progress: string;
  /** One API call: the given ids, else up to 1 000 of the oldest. */
  call: (queue: QueueService, name: string, ids?: string[]) => Promise<R>;
  /** The results of the calls as one (for JSON), and how many tasks that counts. */
  merge: (results: R[]) => R;
  count: (result: R) => number;
  /** The JSON key and the line for people. */
  key: string;
  line: (count: number) => string;
}

function registerChange<R>(dead: Command, spec: DeadChange<R>): void {
  const command = dead
    .command(spec.name)
    .description(spec.description)
    .argument('<queue>')
    .option('--id <ids...>', 'only these tasks');
  withChangeOptions(command).action((name: string, flags: DeadChangeFlags) => {
    const what = flags.id ? `${flags.id.length} dead task(s)` : 'every dead task';
    const question = `${spec.verb} ${what} of "${name}"`;
    return confirmedChange(flags, `dead ${spec.name}`, name, question, async ({ queue }) => {
      const results: R[] = [];
      const once = async () => {
        const result = await spec.call(queue, name, flags.id);
        results.push(result);
        return spec.count(result);
      };
      if (flags.id) await once();
      else {
        const total = (await queue.stats(name)).deadLettered;
        await inBatches(`${spec.progress} dead tasks of ${name}`, total, once);
      }
      const merged = spec.merge(results);
      print(flags.json, { queue: name, [spec.key]: merged }, () => spec.line(spec.count(merged)));
    });
  });
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
  registerChange<string[]>(dead, {
    name: 'requeue',
    description: 'run failed tasks again (all of them, or those given with --id)',
    verb: 'Requeue',
    progress: 'Requeueing',
    call: (queue, name, ids) => queue.requeueDead(name, ids),
    merge: (batches) => batches.flat(),
    count: (ids) => ids.length,
    key: 'requeued',
    line: (count) => `Requeued ${count} task(s).\n`,
  });
  registerChange<number>(dead, {
    name: 'purge',
    description: 'delete failed tasks (all of them, or those given with --id)',
    verb: 'Delete',
    progress: 'Purging',
    call: (queue, name, ids) => queue.purgeDead(name, ids),
    merge: (counts) => counts.reduce((sum, count) => sum + count, 0),
    count: (count) => count,
    key: 'purged',
    line: (count) => `Deleted ${count} dead task(s).\n`,
  });
}
