import { writeFileSync } from 'fs';
import { Metric } from './cases/bench-case';
import { Summary, summarize } from './stats';

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
  taskmill: string;
  bullmq: string;
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
 * Ratio taskmill ÷ BullMQ of the medians, phrased so that > 1 always means taskmill is better:
 * for "higher is better" it is taskmill/BullMQ, for "lower is better" BullMQ/taskmill.
 */
export function advantage(metric: Metric, ours: number, theirs: number): number {
  return metric.better === 'higher' ? ours / theirs : theirs / ours;
}

export function table(rows: ResultRow[], repeats: number): string {
  const lines = [
    '| case | unit | taskmill | BullMQ | taskmill advantage |',
    '|---|---|---:|---:|---:|',
  ];
  for (const { metric, samples } of rows) {
    const ours = samples.get('taskmill');
    const theirs = samples.get('BullMQ');
    const a = ours && summarize(ours);
    const b = theirs && summarize(theirs);
    const ratio = a && b ? `${advantage(metric, a.median, b.median).toFixed(2)}×` : 'n/a';
    lines.push(
      `| ${metric.label} | ${metric.unit} | ${cell(a, repeats)} | ${cell(b, repeats)} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

export function writeResults(path: string, rows: ResultRow[], info: RunInfo): void {
  const text = [
    '# Benchmark results',
    '',
    `Command: \`${info.command}\` — ${info.date}`,
    '',
    `Machine: ${info.machine}; Node ${info.node}; Redis ${info.redis}; taskmill ${info.taskmill}; BullMQ ${info.bullmq}.`,
    `Each figure is the median of ${info.repeats} run(s), with the min–max range in brackets.`,
    'The advantage column is > 1 when taskmill is better (faster, cheaper or smaller).',
    '',
    table(rows, info.repeats),
    '',
  ].join('\n');
  writeFileSync(path, text);
}
