import { writeFileSync } from 'fs';
import { BenchSection, Metric } from './cases/bench-case';
import { Summary, summarize } from './stats';
import { OURS, PEERS, SUBJECT_NAMES } from './subjects/names';

export interface ResultRow {
  metric: Metric;
  /** Samples per subject name, one per repeat. */
  samples: Map<string, number[]>;
  section: BenchSection;
  /** Why a library did not run the case, by name (BenchCase.unsupported). */
  unsupported?: Record<string, string>;
}

const SECTIONS: BenchSection[] = ['comparison', 'flow control'];

/** Said above the flow control table of bench/results.md. */
const FLOW_CONTROL_NOTE = [
  'Flow control: variants measured in the same run and compared with each other (no group, one',
  'group, 10,000 groups; no rate limit and one far above the reachable rate), each library with',
  "its own feature where it has one. BullMQ's groups are in its paid Pro edition; bee-queue has",
  'no groups and no rate limiter. Hence no "vs" columns.',
].join('\n');

export interface RunInfo {
  command: string;
  date: string;
  machine: string;
  node: string;
  redis: string;
  /** Version per library name, in the table's order. */
  versions: Map<string, string>;
  repeats: number;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function cell(summary: Summary | undefined, repeats: number): string {
  if (!summary) return 'n/a';
  const range = repeats > 1 ? ` (${format(summary.min)}–${format(summary.max)})` : '';
  return `${format(summary.median)}${range}`;
}

/**
 * Ratio taskmill ÷ a peer of the medians, phrased so that > 1 always means taskmill is better:
 * for "higher is better" it is taskmill/peer, for "lower is better" peer/taskmill.
 */
export function advantage(metric: Metric, ours: number, theirs: number): number {
  return metric.better === 'higher' ? ours / theirs : theirs / ours;
}

function ratio(metric: Metric, ours?: Summary, theirs?: Summary): string {
  if (!ours || !theirs) return 'n/a';
  const value = advantage(metric, ours.median, theirs.median);
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

/** A section's first two lines; the run prints them once, then each case's rows as they come. */
export function tableHeader(section: BenchSection = 'comparison'): string {
  if (section === 'flow control') {
    const align = SUBJECT_NAMES.map(() => '---:').join('|');
    return `| flow control | unit | ${SUBJECT_NAMES.join(' | ')} |\n|---|---|${align}|`;
  }
  const libraries = [OURS, ...PEERS].join(' | ');
  const ratios = PEERS.map((peer) => `vs ${peer}`).join(' | ');
  const align = [OURS, ...PEERS, ...PEERS].map(() => '---:').join('|');
  return `| case | unit | ${libraries} | ${ratios} |\n|---|---|${align}|`;
}

function line({ metric, samples }: ResultRow, repeats: number): string {
  const summary = (name: string) => {
    const values = samples.get(name);
    return values && summarize(values);
  };
  const ours = summary(OURS);
  const peers = PEERS.map(summary);
  const figures = [ours, ...peers].map((s) => cell(s, repeats));
  const ratios = peers.map((theirs) => ratio(metric, ours, theirs));
  return `| ${[metric.label, metric.unit, ...figures, ...ratios].join(' | ')} |`;
}

/** A flow control row: a figure per library that ran the case, else why it did not. */
function flowLine({ metric, samples, unsupported }: ResultRow, repeats: number): string {
  const figures = SUBJECT_NAMES.map((name) => {
    const values = samples.get(name);
    return unsupported?.[name] ?? cell(values && summarize(values), repeats);
  });
  return `| ${[metric.label, metric.unit, ...figures].join(' | ')} |`;
}

/** The rows' lines, without the header: all of them must be of one section. */
export function tableLines(rows: ResultRow[], repeats: number): string[] {
  return rows.map((row) =>
    row.section === 'flow control' ? flowLine(row, repeats) : line(row, repeats),
  );
}

/** One table per section that has rows (the comparison's header even when it has none). */
export function table(rows: ResultRow[], repeats: number): string {
  return SECTIONS.filter((section) => section === 'comparison' || rows.some(inSection(section)))
    .map((section) => sectionTable(rows.filter(inSection(section)), section, repeats))
    .join('\n\n');
}

function sectionTable(rows: ResultRow[], section: BenchSection, repeats: number): string {
  const lines = [tableHeader(section), ...tableLines(rows, repeats)].join('\n');
  return section === 'flow control' ? `${FLOW_CONTROL_NOTE}\n\n${lines}` : lines;
}

function inSection(section: BenchSection): (row: ResultRow) => boolean {
  return (row) => row.section === section;
}

export function writeResults(path: string, rows: ResultRow[], info: RunInfo): void {
  const versions = [...info.versions].map(([name, version]) => `${name} ${version}`).join('; ');
  const text = [
    '# Benchmark results',
    '',
    `Command: \`${info.command}\` — ${info.date}`,
    '',
    `Machine: ${info.machine}; Node ${info.node}; Redis ${info.redis}; ${versions}.`,
    `Each figure is the median of ${info.repeats} run(s), with the min–max range in brackets.`,
    `The "vs" columns are taskmill's advantage over each peer, > 1 when taskmill is better`,
    '(faster, cheaper or smaller).',
    '',
    table(rows, info.repeats),
    '',
  ].join('\n');
  writeFileSync(path, text);
}
