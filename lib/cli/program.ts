import { Command } from 'commander';
import { registerControl } from './commands/control';
import { registerDead } from './commands/dead';
import { registerList } from './commands/list';
import { registerObliterate } from './commands/obliterate';
import { registerQueues, registerStats } from './commands/queues';
import { registerSchedules } from './commands/schedules';
import { registerShow } from './commands/show';
import { registerWorker } from './commands/worker';

/**
 * The `taskmill` command line. Set up before the commands are added, so that each inherits
 * it: errors are thrown rather than ending the process, and main() turns them into exit codes.
 */
export function buildProgram(version: string): Command {
  const program = new Command('taskmill')
    .description('See and act on taskmill queues (docs/cli.md)')
    .version(version)
    .exitOverride()
    .configureHelp({ sortSubcommands: false });
  registerQueues(program);
  registerStats(program);
  registerList(program);
  registerShow(program);
  registerDead(program);
  registerControl(program);
  registerObliterate(program);
  registerSchedules(program);
  registerWorker(program);
  return program;
}
