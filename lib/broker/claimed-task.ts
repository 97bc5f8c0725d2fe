import { ResolvedBackoff } from '../options/task.options';
import { decodeRunOptions } from './run-options.codec';

/** A task a worker has claimed, as the settle script returns it. */
export interface ClaimedTask {
  id: string;
  name: string;
  queue: string;
  /** Serialised arguments (decoded by the worker with the module's serializer). */
  args: string;
  /** This run's number, from 1; also the fencing token for every outcome write. */
  attempt: number;
  /** Failed runs before this one. */
  failures: number;
  retries: number;
  backoff: ResolvedBackoff;
  timeout: number | undefined;
  /** Serialised metadata, '' when none. */
  metadata: string;
}

export type RawClaimedTask = [string, string, string, string, number, string, string, string];

export function decodeClaimedTask(raw: RawClaimedTask): ClaimedTask {
  const [id, name, queue, args, attempt, failures, options, metadata] = raw;
  return {
    id,
    name,
    queue,
    args,
    attempt: Number(attempt),
    failures: Number(failures),
    ...decodeRunOptions(options),
    metadata,
  };
}
