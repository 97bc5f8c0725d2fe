// `npm run bench [-- --quick] [-- --repeats=N] [-- --only=<substring>]`: taskmill, BullMQ and
// bee-queue side by side on one private redis-server, same payload { i }, same no-op handler;
// then taskmill's flow control (groups, rate limits) against variants of itself.
import 'reflect-metadata';
import { readFileSync } from 'fs';
import { cpus, totalmem } from 'os';
import { join } from 'path';
import { startPrivateRedis } from '../lib/testing';
import { BenchCase, BenchContext, BenchScale, BenchSection } from './cases/bench-case';
import { cpuBoundCase } from './cases/cpu-bound.case';
import { enqueueCases } from './cases/enqueue.case';
import { groupsCase } from './cases/groups.case';
import { latencyCase } from './cases/latency.case';
import { memoryCase } from './cases/memory.case';
import { multiProcessCase } from './cases/multi-process.case';
import { processingCases } from './cases/processing.case';
import { rateLimitCase } from './cases/rate-limit.case';
import { redisCostCase } from './cases/redis-cost.case';
import { countSocketWrites, RedisProbe } from './probe';
import { ResultRow, tableHeader, tableLines, writeResults } from './report';
import { subjectsInTurn } from './subjects/roster';

export interface BenchOptions {
  scale: BenchScale;
  repeats: number;
  only?: string;
  /** Where to write the markdown table; undefined: do not write. */
  resultsPath?: string;
  log: (line: string) => void;
}

const ALL_CASES: BenchCase[] = [
  ...enqueueCases,
  ...processingCases,
  latencyCase,
  redisCostCase,
  memoryCase,
  multiProcessCase,
  cpuBoundCase,
  groupsCase,
  rateLimitCase,
];

/** `--only=<substring>`: a case with a figure whose label contains it, or its section's name. */
function selected(benchCase: BenchCase, only: string): boolean {
  const section: BenchSection = benchCase.section ?? 'comparison';
  return section.includes(only) || benchCase.metrics.some((m) => m.label.includes(only));
}

/** Runs every case for every library; returns the rows of the table. */
export async function runBenchmarks(options: BenchOptions): Promise<ResultRow[]> {
  const redis = await startPrivateRedis({
    installIfMissing: true,
    args: ['--save', '', '--appendonly', 'no'],
  });
  countSocketWrites(redis.port);
  const probe = new RedisProbe(redis.url);
  const context: BenchContext = { url: redis.url, probe, scale: options.scale };
  const rows: ResultRow[] = [];
  const cases = ALL_CASES.filter((c) => !options.only || selected(c, options.only));
  let printedSection: BenchSection | undefined;
  try {
    for (const benchCase of cases) {
      const section = benchCase.section ?? 'comparison';
      const { unsupported } = benchCase;
      const caseRows = benchCase.metrics.map((metric) => ({
        metric,
        samples: new Map<string, number[]>(),
        section,
        unsupported,
      }));
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        for (const subject of await subjectsInTurn(repeat)) {
          if (unsupported?.[subject.name] !== undefined) continue;
          await probe.flush();
          await subject.open(redis.url);
          const values = await benchCase.run(subject, context);
          await subject.close();
          for (const row of caseRows) {
            const list = row.samples.get(subject.name) ?? [];
            list.push(values[row.metric.key]);
            row.samples.set(subject.name, list);
          }
        }
      }
      if (section !== printedSection) {
        options.log(`${printedSection ? '\n' : ''}${tableHeader(section)}`);
        printedSection = section;
      }
      options.log(tableLines(caseRows, options.repeats).join('\n'));
      rows.push(...caseRows);
    }
    if (options.resultsPath) {
      writeResults(options.resultsPath, rows, {
        command: `npm run bench${options.scale === 'quick' ? ' -- --quick' : ''}`,
        date: new Date().toISOString().slice(0, 10),
        machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
        node: process.version,
        redis: (await probe.versions()).redis,
        versions: libraryVersions(),
        repeats: options.repeats,
      });
    }
    return rows;
  } finally {
    probe.close();
    await redis.stop();
  }
}

function packageVersion(path: string): string {
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

function libraryVersions(): Map<string, string> {
  return new Map([
    ['taskmill', packageVersion(join(__dirname, '..', 'package.json'))],
    ['BullMQ', packageVersion(require.resolve('bullmq/package.json'))],
    ['bee-queue', packageVersion(require.resolve('bee-queue/package.json'))],
  ]);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const repeats = Number(args.find((a) => a.startsWith('--repeats='))?.split('=')[1] ?? 3);
  const only = args.find((a) => a.startsWith('--only='))?.split('=')[1];
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const resultsPath = only ? undefined : join(__dirname, quick ? 'results-quick.md' : 'results.md');
  await runBenchmarks({ scale: quick ? 'quick' : 'full', repeats, only, resultsPath, log });
  if (resultsPath) log(`\nwritten to ${resultsPath}`);
  process.exit(0);
}

if (require.main === module) void main();
