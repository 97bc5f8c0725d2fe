import { ConnectionError, TaskDefinitionPart } from '../errors';
import { DEFINITION_BITS, SCRIPT_CODES as CODE } from './script-codes';

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

export function decodeEnqueueCodes(codes: number[], timeoutMs: number): EnqueueResult[] {
  // Past its deadline, every code is PAST_DEADLINE: nothing was written.
  if (codes[0] === CODE.PAST_DEADLINE) throw pastDeadline(timeoutMs);
  return codes.map((code) =>
    code >= CODE.DEFINITION_DIFFERS ? mismatch(code) : ENQUEUE_RESULTS[code],
  );
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
