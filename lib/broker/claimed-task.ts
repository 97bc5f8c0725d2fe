import { ResolvedBackoff } from '../options/task.options';

/** A task a worker has claimed, as the claim script returns it. */
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

export interface ClaimBatch {
  tasks: ClaimedTask[];
  /** ms until the earliest delayed task of the claimed queues is due (server clock). */
  nextDueIn: number | undefined;
}

type RawTask = [string, string, string, string, number, string, string, string, string, string];

export function parseClaimReply(reply: [number, ...RawTask[]]): ClaimBatch {
  const [nextDueIn, ...raw] = reply;
  return {
    nextDueIn: nextDueIn === -1 ? undefined : Number(nextDueIn),
    tasks: raw.map(parseTask),
  };
}

function parseTask(raw: RawTask): ClaimedTask {
  const [id, name, queue, args, attempt, failures, retries, backoff, timeout, metadata] = raw;
  return {
    id,
    name,
    queue,
    args,
    attempt: Number(attempt),
    failures: Number(failures),
    retries: Number(retries),
    backoff: JSON.parse(backoff) as ResolvedBackoff,
    timeout: timeout === '' ? undefined : Number(timeout),
    metadata,
  };
}
