import { TaskmillError } from './taskmill.error';

/**
 * The `taskmill` command line was used wrongly: a value it cannot take, or a destructive
 * command without confirmation where none can be asked. Nothing was changed; the CLI exits
 * with code 2.
 */
export class CliUsageError extends TaskmillError {
  constructor(problem: string) {
    super(problem);
  }
}
