import { ConnectionError, TaskDefinitionPart } from '../errors';
import { DEFINITION_BITS, SCRIPT_CODES as CODE } from './script-codes';

/** The id is taken by a task of another definition (onDuplicate 'return-matching'). */
export interface DefinitionMismatch {
  differs: TaskDefinitionPart[];
}

/** A debounced enqueue merged into its burst's pending task (EnqueueOptions.debounce). */
export interface Debounced {
  /** The id of the burst's one task, which took the enqueue's arguments. */
  debouncedInto: string;
}

/**
 * What the enqueue script did with one task. `existing`: the id was taken and the task asked
 * for the holder (onDuplicate); `skipped`: atomic mode, another task's id was taken.
 */
export type EnqueueResult =
  'written' | 'taken' | 'existing' | 'skipped' | DefinitionMismatch | Debounced;

/** One entry of the enqueue script's reply: a code, or `[CODE.DEBOUNCED, id]`. */
export type EnqueueCode = number | [number, string];

/** What the chain and chord scripts did: written (now or by an earlier send), or an id taken. */
export type WorkflowResult = 'written' | 'taken';

const ENQUEUE_RESULTS: Record<number, EnqueueResult> = {
  [CODE.WRITTEN]: 'written',
  [CODE.ID_TAKEN]: 'taken',
  [CODE.RETURN_EXISTING]: 'existing',
  [CODE.SKIPPED]: 'skipped',
};

const WORKFLOW_RESULTS: Record<number, WorkflowResult> = {
  [CODE.WRITTEN]: 'written',
  [CODE.ID_TAKEN]: 'taken',
  // Sent again by ioredis after its first send was written: the same answer.
  [CODE.SENT_AGAIN]: 'written',
};

/** What each bit of a definition mismatch names. */
const DEFINITION_PARTS: [number, TaskDefinitionPart][] = [
  [DEFINITION_BITS.TASK_NAME, 'task name'],
  [DEFINITION_BITS.QUEUE, 'queue'],
  [DEFINITION_BITS.ARGUMENTS, 'arguments'],
];

export function decodeEnqueueCodes(codes: EnqueueCode[], timeoutMs: number): EnqueueResult[] {
  // Past its deadline, every code is PAST_DEADLINE: nothing was written.
  if (codes[0] === CODE.PAST_DEADLINE) throw pastDeadline(timeoutMs);
  return codes.map((code) => {
    if (Array.isArray(code)) return { debouncedInto: code[1] };
    return code >= CODE.DEFINITION_DIFFERS ? mismatch(code) : ENQUEUE_RESULTS[code];
  });
}

/**
 * The id of the task an enqueue's handle follows: the burst's one task when the enqueue merged
 * into it (debounce), else the id the enqueue was made with.
 */
export function followedId(id: string, result: EnqueueResult): string {
  return typeof result === 'object' && 'debouncedInto' in result ? result.debouncedInto : id;
}

/** Whether the id was taken by a task of another definition (not a debounce merge). */
export function isMismatch(result: EnqueueResult): result is DefinitionMismatch {
  return typeof result === 'object' && 'differs' in result;
}

function mismatch(code: number): DefinitionMismatch {
  const bits = code - CODE.DEFINITION_DIFFERS;
  return { differs: DEFINITION_PARTS.filter(([bit]) => bits & bit).map(([, part]) => part) };
}

export function decodeWorkflowCode(code: number, timeoutMs: number): WorkflowResult {
  if (code === CODE.PAST_DEADLINE) throw pastDeadline(timeoutMs);
  return WORKFLOW_RESULTS[code];
}

/**
 * Redis ran the call, but later than its caller would have waited: it refused to write. The
 * caller usually heard of it by its own timer already; this answers the rare call whose reply
 * still came in time.
 */
function pastDeadline(timeoutMs: number): ConnectionError {
  return new ConnectionError(
    `Redis ran the call after its deadline (commandTimeoutMs, ${timeoutMs} ms) and wrote nothing`,
  );
}
