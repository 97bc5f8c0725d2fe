import { ResolvedBackoff } from '../options/task.options';

/** A validated, serialised task ready for the enqueue script. */
export interface NewTask {
  id: string;
  queue: string;
  name: string;
  args: string;
  priority: number;
  /** ms from now (server clock); ignored when runAt is set. */
  delay: number;
  /** Absolute due time, epoch ms; 0 when not set. */
  runAt: number;
  retries: number;
  backoff: ResolvedBackoff;
  timeout: number | undefined;
  resultTtl: number;
  /** Serialised metadata, '' when none. */
  metadata: string;
}

export function newTaskArguments(task: NewTask): (string | number)[] {
  return [
    task.id,
    task.queue,
    task.name,
    task.args,
    task.priority,
    task.delay,
    task.runAt,
    task.retries,
    JSON.stringify(task.backoff),
    task.timeout ?? '',
    task.resultTtl,
    task.metadata,
  ];
}
