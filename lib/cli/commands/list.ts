import { Argument, Command } from 'commander';
import { QUEUE_STATES, QueueState, TaskSummary } from '../../broker/queue-snapshot';
import { withAdmin } from '../admin-app';
import { ConnectionFlags, OutputFlags, withConnection, withJson, withPaging } from '../cli-options';
import { print, relativeTime, tableOrNone } from '../output';
import { Column } from '../table';

interface ListFlags extends ConnectionFlags, OutputFlags {
  offset: number;
  limit: number;
}

/** The time each state is ordered by, as a last column. */
const STATE_TIME: Record<QueueState, { header: string; of: (task: TaskSummary) => number }> = {
  waiting: { header: 'ENQUEUED', of: (task) => task.enqueuedAt },
  delayed: { header: 'DUE', of: (task) => task.dueAt ?? 0 },
  running: { header: 'LEASE ENDS', of: (task) => task.leaseExpiresAt ?? 0 },
  dead: { header: 'FAILED', of: (task) => task.failedAt ?? 0 },
};

function columns(state: QueueState): Column[] {
  return [
    { header: 'ID' },
    { header: 'TASK' },
    { header: 'STATUS' },
    { header: 'ATTEMPT', right: true },
    { header: 'PRIORITY', right: true },
    { header: STATE_TIME[state].header },
  ];
}

function cells(task: TaskSummary, state: QueueState): string[] {
  const { id, task: name, status, attempt, priority } = task;
  const time = relativeTime(STATE_TIME[state].of(task));
  return [id, name, status, String(attempt), String(priority), time];
}

/** `taskmill list <queue> <state>`: one page of a queue's tasks in a state. */
export function registerList(program: Command): void {
  const command = program
    .command('list')
    .description("one page of a queue's tasks in a state")
    .argument('<queue>', 'the queue')
    .addArgument(new Argument('<state>', 'which tasks').choices(QUEUE_STATES));
  withPaging(withJson(withConnection(command))).action(
    (name: string, state: QueueState, flags: ListFlags) =>
      withAdmin(flags, async ({ queue }) => {
        const page = { offset: flags.offset, limit: flags.limit };
        const tasks = await queue.list(name, state, page);
        print(flags.json, tasks, () =>
          tableOrNone(
            columns(state),
            tasks.map((task) => cells(task, state)),
            `no ${state} task in "${name}"${flags.offset > 0 ? ` from offset ${flags.offset}` : ''}`,
          ),
        );
      }),
  );
}
