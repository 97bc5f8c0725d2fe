import { Command } from 'commander';
import type { ScheduleInfo } from '../../options/schedule.options';
import { withAdmin } from '../admin-app';
import { ConnectionFlags, OutputFlags, withConnection, withJson } from '../cli-options';
import { print, relativeTime, tableOrNone, utcTime, valueText } from '../output';

const COLUMNS = [
  { header: 'ID' },
  { header: 'TASK' },
  { header: 'QUEUE' },
  { header: 'WHEN' },
  { header: 'NEXT RUN' },
  { header: 'ARGS' },
];

function when(schedule: ScheduleInfo): string {
  if (schedule.every !== undefined) return `every ${schedule.every} ms`;
  return `${schedule.cron} (${schedule.tz ?? 'UTC'})`;
}

function cells(schedule: ScheduleInfo): string[] {
  const next = schedule.nextRunAt.getTime();
  return [
    schedule.id,
    schedule.task,
    schedule.queue,
    when(schedule),
    `${utcTime(next)} (${relativeTime(next)})`,
    valueText(schedule.args),
  ];
}

/** `taskmill schedules`: every schedule, soonest first. */
export function registerSchedules(program: Command): void {
  const command = program.command('schedules').description('every schedule, soonest first');
  withJson(withConnection(command)).action((flags: ConnectionFlags & OutputFlags) =>
    withAdmin(flags, async ({ queue }) => {
      const schedules = await queue.schedules();
      print(flags.json, schedules, () => tableOrNone(COLUMNS, schedules.map(cells), 'no schedule'));
    }),
  );
}
