import { Command } from 'commander';
import type { QueueCounts } from '../../broker/queue-snapshot';
import type { QueueStats } from '../../queue/queue-inspector';
import { withAdmin } from '../admin-app';
import { ConnectionFlags, OutputFlags, withConnection, withJson } from '../cli-options';
import { print, relativeTime, tableOrNone } from '../output';
import { Column } from '../table';

const COUNT_COLUMNS: Column[] = [
  { header: 'QUEUE' },
  { header: 'WAITING', right: true },
  // Of WAITING, the tasks a claim set aside (no live worker with their handler, or their task
  // name at its rate limit): docs/flow-control.md.
  { header: 'HELD', right: true },
  { header: 'DELAYED', right: true },
  { header: 'RUNNING', right: true },
  { header: 'DEAD', right: true },
  { header: 'PAUSED' },
];

const STATS_COLUMNS: Column[] = [
  ...COUNT_COLUMNS,
  { header: 'SUCCEEDED', right: true },
  { header: 'FAILED', right: true },
  { header: 'CANCELLED', right: true },
  { header: 'SINCE' },
];

function countCells(counts: QueueCounts): string[] {
  const { queue, waiting, held, delayed, running, deadLettered, paused } = counts;
  const numbers = [waiting, held, delayed, running, deadLettered].map(String);
  return [queue, ...numbers, paused ? 'yes' : 'no'];
}

function statsCells(stats: QueueStats): string[] {
  const { succeeded, failed, cancelled, since } = stats.recent;
  const recent = [succeeded, failed, cancelled].map(String);
  return [...countCells(stats), ...recent, since === undefined ? '-' : relativeTime(since)];
}

/** `since` is undefined for an empty events stream: null in JSON, so that the key stays. */
function statsJson(stats: QueueStats): QueueStats | object {
  return { ...stats, recent: { ...stats.recent, since: stats.recent.since ?? null } };
}

/** `taskmill queues`: every queue of the prefix with its counts. */
export function registerQueues(program: Command): void {
  const command = program.command('queues').description('every queue with its counts');
  withJson(withConnection(command)).action((flags: ConnectionFlags & OutputFlags) =>
    withAdmin(flags, async ({ queue }) => {
      const queues = await queue.queues();
      print(flags.json, queues, () =>
        tableOrNone(
          COUNT_COLUMNS,
          queues.map(countCells),
          `no queue under prefix "${flags.prefix}"`,
        ),
      );
    }),
  );
}

/** `taskmill stats [queue]`: counts and recent outcomes of one queue, or of every queue. */
export function registerStats(program: Command): void {
  const command = program
    .command('stats')
    .description("a queue's counts and the outcomes of its recent runs (every queue without one)")
    .argument('[queue]', 'the queue (default: every queue)');
  withJson(withConnection(command)).action(
    (name: string | undefined, flags: ConnectionFlags & OutputFlags) =>
      withAdmin(flags, async ({ queue }) => {
        const names = name === undefined ? (await queue.queues()).map((q) => q.queue) : [name];
        const stats = await Promise.all(names.map((one) => queue.stats(one)));
        const json = name === undefined ? stats.map(statsJson) : statsJson(stats[0]);
        print(flags.json, json, () =>
          tableOrNone(
            STATS_COLUMNS,
            stats.map(statsCells),
            `no queue under prefix "${flags.prefix}"`,
          ),
        );
      }),
  );
}
