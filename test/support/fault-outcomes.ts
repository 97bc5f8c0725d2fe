import { HistoryEntry, isTerminal, QueueService, TaskStatus } from '../../lib';
import { RunLedger } from './run-ledger';

const POLL_MS = 100;

/**
 * Polls until every task has a terminal status, or `timeoutMs` passed (0: looks once); resolves
 * with the ids still not terminal (empty when all are). Polling, not result(): it must work across Redis
 * restarts and for thousands of ids without one subscription each.
 */
export async function waitUntilTerminal(
  queue: QueueService,
  ids: string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let pending = ids;
  for (;;) {
    const statuses = await Promise.all(pending.map((id) => queue.handle(id).status()));
    pending = pending.filter((_, i) => !isTerminal(statuses[i].status));
    if (pending.length === 0 || Date.now() >= deadline) return pending;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** What a fault did to a set of acknowledged tasks, read from Redis and the run ledger. */
export interface OutcomeCheck {
  /** Ids that did not end in the expected status (or succeeded without a finished run). */
  lost: string[];
  /** Ids with more than one terminal entry in their history: an outcome recorded twice. */
  duplicated: string[];
  /** Ids whose handler ran to its end more than once (allowed: at-least-once delivery). */
  rerun: string[];
  /** When the last of them reached a terminal status (epoch ms, Redis server clock). */
  lastOutcomeAt: number | undefined;
}

/**
 * Checks every task's recorded history. With a ledger, a SUCCEEDED task counts as lost unless
 * the attempt that succeeded is one whose handler the ledger saw finish: the outcome must come
 * from a real run.
 */
export async function checkOutcomes(
  queue: QueueService,
  ids: string[],
  ledger?: RunLedger,
  expected: TaskStatus = TaskStatus.SUCCEEDED,
): Promise<OutcomeCheck> {
  const histories = await Promise.all(ids.map((id) => queue.handle(id).history()));
  const runs = ledger ? await ledger.runsById() : undefined;
  const check: OutcomeCheck = { lost: [], duplicated: [], rerun: [], lastOutcomeAt: undefined };
  ids.forEach((id, i) => {
    const terminal = histories[i].filter((entry) => isTerminal(entry.status));
    const final: HistoryEntry | undefined = terminal[terminal.length - 1];
    const finishedRuns = runs?.get(id) ?? [];
    const ranToEnd =
      !runs ||
      expected !== TaskStatus.SUCCEEDED ||
      (final !== undefined && finishedRuns.includes(final.attempt));
    if (final?.status !== expected || !ranToEnd) check.lost.push(id);
    if (terminal.length > 1) check.duplicated.push(id);
    if (finishedRuns.length > 1) check.rerun.push(id);
    if (final) check.lastOutcomeAt = Math.max(check.lastOutcomeAt ?? 0, final.at);
  });
  return check;
}

/** From the fault to the last terminal outcome, never negative; null if nothing ended. */
export function recoveryMs(check: OutcomeCheck, faultAt: number): number | null {
  return check.lastOutcomeAt === undefined ? null : Math.max(0, check.lastOutcomeAt - faultAt);
}
