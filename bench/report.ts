import { writeFileSync } from 'fs';
import { Metric } from './cases/bench-case';
import { Summary, summarize } from './stats';
import { OURS, PEERS } from './subjects/names';

export interface ResultRow {
  metric: Metric;
  /** Samples per subject name, one per repeat. */
  samples: Map<string, number[]>;
}

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

/** The table's first two lines; the run prints them once, then each case's rows as they come. */
export function tableHeader(): string {
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

export function table(rows: ResultRow[], repeats: number): string {
  return [tableHeader(), ...rows.map((row) => line(row, repeats))].join('\n');
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
