import { TaskmillError } from './taskmill.error';

/** No record of a task id: it never existed under this prefix, or it expired after `resultTtl`. */
export class TaskNotFoundError extends TaskmillError {
  constructor(readonly taskId: string) {
    super(
      `No task with id "${taskId}" exists: it was never enqueued under this prefix, ` +
        `or it finished and its record expired after resultTtl. Raise resultTtl to keep results longer.`,
    );
  }
}
