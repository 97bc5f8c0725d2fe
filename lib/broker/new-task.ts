import { DebounceOptions, DuplicatePolicy, ResolvedBackoff } from '../options/task.options';
import { SlotKeys, STORED_DEFAULTS } from './keys';
import { encodeRunOptions } from './run-options.codec';

/** A validated, serialised task ready for the enqueue script. */
export interface NewTask {
  id: string;
  queue: string;
  /** The slot the task is written to (TaskRouter). */
  slot: SlotKeys;
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
  /** The lock name the task must hold to run, '' when none. */
  lock: string;
  /** At most this many tasks of this name run at once; undefined: no limit. */
  concurrency: number | undefined;
  /** The task's group key ('' none): groups of a queue are served in turn. */
  group: string;
  /** What a taken id means: see EnqueueOptions.onDuplicate. */
  onDuplicate: DuplicatePolicy;
  /**
   * Unique tasks: how long after the holder finished the id stays taken. Undefined: any
   * record with the id takes it, finished or not.
   */
  uniqueFor: number | undefined;
  /**
   * Telemetry: the enqueue span's W3C traceparent, stored with the task; undefined when
   * telemetry is off or the enqueue is outside a trace.
   */
  trace?: string;
  /**
   * Debounce, validated (EnqueueOptions.debounce): the enqueue script merges the task into
   * its burst's pending task, or writes it due in `delayMs`. Only single enqueues carry one.
   */
  debounce?: DebounceOptions;
  /**
   * Set when the task's name had to be looked up in the task catalog and Redis did not answer:
   * the task is not known to go where its handler declared, so the broker writes nothing and
   * fails with this error, which then names the ids of the call (for the retry), as a failed
   * write does.
   */
  unrouted?: Error;
}

/**
 * How many fields newTaskArguments gives each task. The loader hands the number to the scripts
 * as NEW_TASK_FIELDS, so the enqueue scripts step over tasks (and find the fields they append
 * after them) without writing it themselves.
 */
export const NEW_TASK_FIELDS = 16;

/**
 * The enqueue scripts' NEW_TASK_FIELDS fields for one task, in order: the one owner of that
 * order, read by taskFromArgv (scripts/includes/tasks.lua).
 */
export function newTaskArguments(task: NewTask): (string | number)[] {
  return [
    task.id,
    task.queue,
    task.name,
    task.args,
    task.priority,
    task.delay,
    task.runAt,
    encodeRunOptions(task),
    task.resultTtl === STORED_DEFAULTS.resultTtl ? '' : task.resultTtl,
    task.metadata,
    encodeDedupe(task),
    task.lock,
    task.concurrency ?? '',
    task.group,
    task.trace ?? '',
    encodeDebounce(task.debounce),
  ];
}

/** '' (none), else `<delayMs>:<maxDelayMs, '' for none>:<debounce id>`: the id last, as it may hold ':'. */
function encodeDebounce(debounce: DebounceOptions | undefined): string {
  if (debounce === undefined) return '';
  return `${debounce.delayMs}:${debounce.maxDelayMs ?? ''}:${debounce.id}`;
}

const POLICY_LETTERS: Record<DuplicatePolicy, string> = {
  error: 'e',
  'return-existing': 'r',
  'return-matching': 'm',
};

/** '' (an error when the id exists, whatever holds it), else `<e|r|m>` then `:<uniqueFor ms>`. */
function encodeDedupe(task: NewTask): string {
  if (task.onDuplicate === 'error' && task.uniqueFor === undefined) return '';
  const policy = POLICY_LETTERS[task.onDuplicate];
  return task.uniqueFor === undefined ? policy : `${policy}:${task.uniqueFor}`;
}
