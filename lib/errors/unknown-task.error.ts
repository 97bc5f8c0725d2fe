import { TaskmillError } from './taskmill.error';

/** A task name (or class method) that no `@Task` handler declares. */
export class UnknownTaskError extends TaskmillError {
  constructor(
    readonly taskName: string,
    hint: string,
  ) {
    super(`Unknown task "${taskName}": ${hint}`);
  }
}
