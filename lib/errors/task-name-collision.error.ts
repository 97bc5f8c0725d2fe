import { TaskmillError } from './taskmill.error';

/** Two `@Task` handlers in one application claim the same task name. */
export class TaskNameCollisionError extends TaskmillError {
  constructor(
    readonly taskName: string,
    first: string,
    second: string,
  ) {
    super(
      `Task name "${taskName}" is declared by both ${first} and ${second}. ` +
        `Give one of them a distinct name with @Task({ name: '...' }).`,
    );
  }
}
