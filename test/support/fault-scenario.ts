import { QueueService, TaskStatus } from '../../lib';
import { checkOutcomes, OutcomeCheck, recoveryMs, waitUntilTerminal } from './fault-outcomes';
import { recordFaultFigures } from './fault-summary';
import { RunLedger } from './run-ledger';

export interface FaultScenario {
  /** The row's name in the summary table, numbered as in the issue ("1. …"). */
  scenario: string;
  queue: QueueService;
  /** The ids of every acknowledged enqueue. */
  ids: string[];
  ledger?: RunLedger;
  /** When the system could start to recover (epoch ms); none where there is no fault. */
  faultAt?: number;
  /** A recovery time the scenario measured its own way, instead of from `faultAt`. */
  recoveryMs?: number | null;
  /** How every task should end; default SUCCEEDED. */
  expected?: TaskStatus;
  /** How long the tasks may take to end; default 30 s (0: the test waited already). */
  timeoutMs?: number;
}

export interface FaultMeasure extends OutcomeCheck {
  /** Tasks still not terminal when the wait gave up. */
  pending: string[];
}

/**
 * The end every fault scenario shares: waits for the tasks to end, measures them, and records
 * the figures before any assertion, so that a failing scenario still shows in the table.
 */
export async function finishFaultScenario(run: FaultScenario): Promise<FaultMeasure> {
  const unique = [...new Set(run.ids)];
  const pending = await waitUntilTerminal(run.queue, unique, run.timeoutMs ?? 30_000);
  const check = await checkOutcomes(run.queue, unique, run.ledger, run.expected);
  recordFaultFigures({
    scenario: run.scenario,
    tasks: run.ids.length,
    // An id acknowledged twice means two enqueues share one task: one of them is lost.
    lost: check.lost.length + run.ids.length - unique.length,
    duplicated: check.duplicated.length,
    recoveryMs:
      run.recoveryMs !== undefined
        ? run.recoveryMs
        : run.faultAt === undefined
          ? null
          : recoveryMs(check, run.faultAt),
  });
  return { ...check, pending };
}

/** What every scenario asserts: every task ended as expected, and exactly once. */
export function expectNothingLostOrDuplicated(measure: FaultMeasure): void {
  expect(measure.pending).toEqual([]);
  expect(measure.lost).toEqual([]);
  expect(measure.duplicated).toEqual([]);
}
