import { ConnectionError, TaskDefinitionPart } from '../errors';

/** The id is taken by a task of another definition (onDuplicate 'return-matching'). */
export interface DefinitionMismatch {
  differs: TaskDefinitionPart[];
}

/**
 * What the enqueue script did with one task. `existing`: the id was taken and the task asked
 * for the holder (onDuplicate); `skipped`: atomic mode, another task's id was taken.
 */
export type EnqueueResult = 'written' | 'taken' | 'existing' | 'skipped' | DefinitionMismatch;

/** What the chain and chord scripts did: written (now or by an earlier send), or an id taken. */
export type WorkflowResult = 'written' | 'taken';

const ENQUEUE_RESULTS: Record<number, EnqueueResult> = {
  1: 'written',
  0: 'taken',
  2: 'existing',
  [-1]: 'skipped',
};

const WORKFLOW_RESULTS: Record<number, WorkflowResult> = {
  1: 'written',
  0: 'taken',
  // Sent again by ioredis after its first send was written: the same answer.
  2: 'written',
};

/** Every enqueue script's code for a call that came after its deadline: nothing written. */
const PAST_DEADLINE = 3;
/** Enqueue codes from here on: 10 + the bitmask of definitionDiff (tasks.lua). */
const MISMATCH = 10;
const DEFINITION_BITS: [number, TaskDefinitionPart][] = [
  [1, 'task name'],
  [2, 'queue'],
  [4, 'arguments'],
];

export function decodeEnqueueCodes(codes: number[], timeoutMs: number): EnqueueResult[] {
  if (codes[0] === PAST_DEADLINE) throw pastDeadline(timeoutMs);
  return codes.map((code) =>
    code >= MISMATCH
      ? { differs: DEFINITION_BITS.filter(([bit]) => (code - MISMATCH) & bit).map(([, p]) => p) }
      : ENQUEUE_RESULTS[code],
  );
}

export function decodeWorkflowCode(code: number, timeoutMs: number): WorkflowResult {
  if (code === PAST_DEADLINE) throw pastDeadline(timeoutMs);
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
