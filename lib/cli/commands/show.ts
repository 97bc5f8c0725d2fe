import { Command } from 'commander';
import { StatusUpdate, TaskStatus } from '../../core/task-status';
import { ErrorDetails, TaskNotFoundError } from '../../errors';
import type { HistoryEntry } from '../../status/history';
import { checkTaskId } from '../../validation/checks';
import { Admin, withAdmin } from '../admin-app';
import { ConnectionFlags, OutputFlags, withConnection, withJson } from '../cli-options';
import { print, relativeTime, utcTime, valueText } from '../output';
import { renderFields, renderTable } from '../table';

interface ShowFlags extends ConnectionFlags, OutputFlags {
  queue?: string;
}

/** What `show --json` prints: the current status (null where none), the result, the history. */
type TaskView = Omit<StatusUpdate, 'error' | 'progress'> & {
  progress: unknown;
  error: ErrorDetails | null;
  result: unknown;
  history: HistoryEntry[];
};

/** Everything the public API tells of one task; TaskNotFoundError when it has no record. */
async function viewOf({ queue, results }: Admin, id: string, name?: string): Promise<TaskView> {
  const handle = queue.handle(checkTaskId(id, 'id'), name);
  const status = await handle.status();
  if (status.status === TaskStatus.UNKNOWN) throw new TaskNotFoundError(id);
  const [history, outcome] = await Promise.all([handle.history(), results.get(id, name)]);
  const { error } = status;
  return {
    id: status.id,
    task: status.task,
    queue: status.queue,
    status: status.status,
    attempt: status.attempt,
    at: status.at,
    progress: status.progress ?? null,
    error: error ? { name: error.name, message: error.message, stack: error.stack } : null,
    result: outcome.status === TaskStatus.SUCCEEDED ? (outcome.value ?? null) : null,
    history,
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
  ];
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

/** `taskmill show <id>`: a task's status, result or error, and history. */
export function registerShow(program: Command): void {
  const command = program
    .command('show')
    .description("a task's status, result or error, and history")
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
