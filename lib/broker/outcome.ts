import type { SlotKeys } from './keys';
import { SCRIPT_CODES as CODE } from './script-codes';

/** How a run ended, as the worker asks the settle script to record it. */
export type Outcome = (
  | { kind: 'complete'; id: string; attempt: number; result: string }
  | { kind: 'retry'; id: string; attempt: number; error: string; summary: string; delayMs: number }
  | { kind: 'fail'; id: string; attempt: number; error: string; summary: string }
  /** Stopped because its cancellation was requested: it ends CANCELLED. */
  | { kind: 'cancel'; id: string; attempt: number }
  /** Handed back to the queue, keeping its turn (graceful shutdown). */
  | { kind: 'release'; id: string; attempt: number }
) & {
  /** The slot the task is in: its outcome is written by a settle call on that slot. */
  slot: SlotKeys;
  /**
   * Sent again after a call that failed on the way (timed out, connection lost): Redis may
   * have run it all the same, so a refusal is checked against what the first write did.
   */
  repeat?: boolean;
};

/** What an outcome write did. `fenced`: a newer attempt owns the task, nothing was written. */
export type OutcomeResult = 'recorded' | 'cancelled' | 'fenced' | 'missing';

export const OUTCOME_CODES: Record<number, OutcomeResult> = {
  [CODE.RECORDED]: 'recorded',
  [CODE.ENDED_CANCELLED]: 'cancelled',
  [CODE.FENCED]: 'fenced',
  [CODE.NO_TASK]: 'missing',
};

/** The settle script's 6 fields for one outcome, in order; a repeat's kind ends with `?`. */
export function outcomeArguments(outcome: Outcome): (string | number)[] {
  const fields = fieldsOf(outcome);
  if (outcome.repeat) fields[0] = `${outcome.kind}?`;
  return fields;
}

function fieldsOf(outcome: Outcome): (string | number)[] {
  switch (outcome.kind) {
    case 'complete':
      return ['complete', outcome.id, outcome.attempt, outcome.result, 0, ''];
    case 'retry':
      return [
        'retry',
        outcome.id,
        outcome.attempt,
        outcome.error,
        outcome.delayMs,
        outcome.summary,
      ];
    case 'fail':
      return ['fail', outcome.id, outcome.attempt, outcome.error, 0, outcome.summary];
    case 'cancel':
    case 'release':
      return [outcome.kind, outcome.id, outcome.attempt, '', 0, ''];
  }
}

const SUMMARY_MESSAGE_MAX = 200;

/** What a failing run leaves in the task's history: `[name, message]` as JSON, message cut short. */
export function errorSummary(error: { name: string; message: string }): string {
  return JSON.stringify([error.name, error.message.slice(0, SUMMARY_MESSAGE_MAX)]);
}
