import { ResolvedBackoff } from '../options/task.options';
import type { SlotKeys } from './keys';
import { decodeRunOptions, RunOptions } from './run-options.codec';

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
  /** Chains: the previous step's serialised result ('' when none or undefined). */
  previous: string;
  /** Chains: the previous step's error (JSON) when it failed and the chain went on; ''. */
  previousError: string;
  /** Chords: `previous` is a JSON array of the parts' serialised results. */
  joined: boolean;
  /**
   * How long it waited before this claim, in ms (server clock): since it was enqueued, became
   * due (a delay, runAt or a retry's backoff), or was handed back, whichever came last.
   */
  waitedMs: number;
  /** Telemetry: the enqueue span's W3C traceparent, '' when it was enqueued outside a trace. */
  trace: string;
  /** Why the record could not be decoded: the worker fails the task with this reason. */
  corrupt?: string;
  /** The slot the task is in (the one it was claimed from). */
  slot: SlotKeys;
}

export type RawClaimedTask = [
  string,
  string,
  string,
  string,
  number,
  string,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
];

export function decodeClaimedTask(raw: RawClaimedTask, slot: SlotKeys): ClaimedTask {
  const [
    id,
    name,
    queue,
    args,
    attempt,
    failures,
    stored,
    metadata,
    previous,
    previousError,
    joined,
    waitedMs,
    trace,
  ] = raw;
  let options: Readonly<RunOptions>;
  let corrupt: string | undefined;
  try {
    options = decodeRunOptions(stored);
  } catch (error) {
    // Foreign or corrupted options: run nothing, fail the task for good with the reason.
    options = { ...decodeRunOptions(''), retries: 0 };
    corrupt = `its stored options cannot be read (${(error as Error).message})`;
  }
  // One object literal of a fixed shape: the worker decodes one per claimed task.
  return {
    id,
    name,
    queue,
    args,
    attempt: Number(attempt),
    failures: Number(failures),
    retries: options.retries,
    backoff: options.backoff,
    timeout: options.timeout,
    metadata,
    previous,
    previousError,
    joined: joined === '1',
    waitedMs: Number(waitedMs),
    trace,
    corrupt,
    slot,
  };
}
