import { Command } from 'commander';
import { StatusUpdate, TaskStatus } from '../../core/task-status';
import { ErrorDetails, TaskNotFoundError } from '../../errors';
import type { HistoryEntry } from '../../status/history';
import type { TaskLinks } from '../../status/task-details';
import { checkTaskId } from '../../validation/checks';
import { Admin, withAdmin } from '../admin-app';
import { ConnectionFlags, OutputFlags, withConnection, withJson } from '../cli-options';
import { print, relativeTime, utcTime, valueText } from '../output';
import { renderFields, renderTable } from '../table';

interface ShowFlags extends ConnectionFlags, OutputFlags {
  queue?: string;
}

/**
 * What `show --json` prints: the task's record (queue.inspect), with null where a field has
 * no value, so that scripts find every key.
 */
type TaskView = Omit<StatusUpdate, 'error' | 'progress'> & {
  priority: number;
  enqueuedAt: number;
  args: unknown;
  metadata: Record<string, unknown> | null;
  progress: unknown;
  error: ErrorDetails | null;
  result: unknown;
  history: HistoryEntry[];
  links: TaskLinks;
};

/** Everything the public API tells of one task, in one read; TaskNotFoundError without a record. */
async function viewOf({ queue }: Admin, id: string, name?: string): Promise<TaskView> {
  const details = await queue.inspect(checkTaskId(id, 'id'), name);
  if (!details) throw new TaskNotFoundError(id);
  // The last run's error while it is current (retrying, failed), with its stack.
  const error = details.error && (details.lastError ?? details.error);
  return {
    id: details.id,
    task: details.task,
    queue: details.queue,
    status: details.status,
    attempt: details.attempt,
    at: details.at,
    priority: details.priority,
    enqueuedAt: details.enqueuedAt,
    args: details.args ?? null,
    metadata: details.metadata ?? null,
    progress: details.progress ?? null,
    error: error ? { name: error.name, message: error.message, stack: error.stack } : null,
    result: details.status === TaskStatus.SUCCEEDED ? (details.result ?? null) : null,
    history: details.history,
    links: details.links,
  };
}

function render(view: TaskView): string {
  const fields: [string, string][] = [
    ['id', view.id],
    ['task', view.task],
    ['queue', view.queue],
    ['status', view.status],
    ['attempt', String(view.attempt)],
    ['changed', `${utcTime(view.at)} (${relativeTime(view.at)})`],
    ['enqueued', `${utcTime(view.enqueuedAt)} (${relativeTime(view.enqueuedAt)})`],
    ['priority', String(view.priority)],
    ['args', valueText(view.args)],
  ];
  if (view.metadata !== null) fields.push(['metadata', valueText(view.metadata)]);
  if (view.progress !== null) fields.push(['progress', valueText(view.progress)]);
  if (view.status === TaskStatus.SUCCEEDED) fields.push(['result', valueText(view.result)]);
  if (view.error) {
    fields.push(['error', `${view.error.name}: ${view.error.message}`]);
    if (view.error.stack) fields.push(['stack', view.error.stack]);
  }
  const history = renderTable(
    [
      { header: 'STATUS' },
      { header: 'ATTEMPT', right: true },
      { header: 'AT' },
      { header: 'ERROR' },
    ],
    view.history.map((entry) => [
      entry.status,
      String(entry.attempt),
      utcTime(entry.at),
      entry.error ? `${entry.error.name}: ${entry.error.message}` : '',
    ]),
  );
  return `${renderFields(fields)}\n${history}`;
}

/** `taskmill show <id>`: a task's arguments, metadata, status, result or error, and history. */
export function registerShow(program: Command): void {
  const command = program
    .command('show')
    .description("a task's arguments, metadata, status, result or error, and history")
    .argument('<id>', 'the task id')
    .option(
      '--queue <queue>',
      "the task's queue (needed for a custom id in the 'queue' key layout)",
    );
  withJson(withConnection(command)).action((id: string, flags: ShowFlags) =>
    withAdmin(flags, async (admin) => {
      const view = await viewOf(admin, id, flags.queue);
      print(flags.json, view, () => render(view));
    }),
  );
}
