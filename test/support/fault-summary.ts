import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

/** What one fault scenario measured, for the summary table printed after the test run. */
export interface FaultFigures {
  scenario: string;
  /** Acknowledged enqueues. */
  tasks: number;
  /** Acknowledged tasks that never reached their expected outcome. */
  lost: number;
  /** Tasks with more than one terminal outcome in their history. */
  duplicated: number;
  /** From the fault to the last terminal outcome; null where there is no fault to recover from. */
  recoveryMs: number | null;
}

/** The env var naming the file the figures go to; Jest workers inherit it from global setup. */
const SUMMARY_FILE_VAR = 'TASKMILL_FAULT_SUMMARY';

/**
 * Appends one scenario's figures to the run's summary file (one JSON line each): test files
 * run in separate Jest workers, so a file is what they can all add to.
 */
export function recordFaultFigures(figures: FaultFigures): void {
  const file = process.env[SUMMARY_FILE_VAR];
  if (!file) throw new Error(`${SUMMARY_FILE_VAR} is not set: run the tests with \`npm test\``);
  appendFileSync(file, `${JSON.stringify(figures)}\n`);
}

/** Global setup: a fresh summary file in its own temporary directory. */
export function createFaultSummary(): void {
  const dir = mkdtempSync(join(tmpdir(), 'taskmill-fault-summary-'));
  process.env[SUMMARY_FILE_VAR] = join(dir, 'figures.jsonl');
}

/** Global teardown: the table of every recorded scenario (if any), then the file is deleted. */
export function printFaultSummary(write: (text: string) => void): void {
  const file = process.env[SUMMARY_FILE_VAR];
  if (!file) return;
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  rmSync(dirname(file), { recursive: true, force: true });
  if (lines.length === 0) return;
  // Scenarios are named after the issue's numbering ("1. …"): sort by it, not by finish time.
  const rows = lines
    .map((line) => JSON.parse(line) as FaultFigures)
    .sort((a, b) => a.scenario.localeCompare(b.scenario, 'en', { numeric: true }));
  write(`\nFault suite summary\n\n${faultTable(rows)}\n`);
}

/** A Markdown table, columns padded the way Prettier formats them, ready for docs/operations.md (fault suite). */
export function faultTable(rows: FaultFigures[]): string {
  const header = ['scenario', 'tasks', 'lost', 'duplicated', 'recovery ms'];
  const cells = rows.map((row) => [
    row.scenario,
    String(row.tasks),
    String(row.lost),
    String(row.duplicated),
    row.recoveryMs === null ? '–' : String(Math.round(row.recoveryMs)),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  // Numbers right-aligned, as in the docs' other tables of figures.
  const pad = (text: string, i: number) =>
    i === 0 ? text.padEnd(widths[i]) : text.padStart(widths[i]);
  const line = (values: string[]) => `| ${values.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}
