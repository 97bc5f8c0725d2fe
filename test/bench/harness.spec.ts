import { runBenchmarks } from '../../bench/run';
import { table } from '../../bench/report';
import { SUBJECT_NAMES } from '../../bench/subjects/names';

/**
 * Guards the benchmark harness itself, at a tiny size: all three libraries run every case to the
 * end (a processing case only returns once every task completed), except the flow control
 * cases a library has no feature for, and the tables have every row. No timing is asserted:
 * figures from a shared test machine mean nothing.
 */
describe('benchmark harness', () => {
  it('runs every case for taskmill, BullMQ and bee-queue and reports every figure', async () => {
    const rows = await runBenchmarks({ scale: 'tiny', repeats: 1, log: () => undefined });
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(SUBJECT_NAMES).toEqual(['taskmill', 'BullMQ', 'bee-queue']);
    for (const { metric, samples, unsupported } of rows) {
      const ran = SUBJECT_NAMES.filter((library) => !unsupported?.[library]);
      expect({ metric: metric.label, libraries: [...samples.keys()].sort() }).toEqual({
        metric: metric.label,
        libraries: [...ran].sort(),
      });
      for (const library of ran) {
        const values = samples.get(library) ?? [];
        expect({ metric: metric.label, library, count: values.length }).toEqual({
          metric: metric.label,
          library,
          count: 1,
        });
        expect(Number.isFinite(values[0])).toBe(true);
      }
    }
    const rendered = table(rows, 1);
    for (const { metric } of rows) expect(rendered).toContain(`| ${metric.label} |`);
    expect(rendered).toContain('| taskmill | BullMQ | bee-queue | vs BullMQ | vs bee-queue |');
    // Every figure and both ratios are numbers: no library left a column empty.
    expect(rendered).not.toContain('n/a');
    // Flow control: its own table, where a library without the feature says so in its cell.
    expect(rendered).toContain('| flow control | unit | taskmill | BullMQ | bee-queue |');
    expect(rendered).toMatch(
      /\| [^|]*10,000 groups \| µs \| [\d.,]+ \| groups: BullMQ Pro only \| no groups \|/,
    );
    expect(rendered).toMatch(
      /\| [^|]*far-off rate limit ÷ without \| × \| [\d.,]+ \| [\d.,]+ \| no rate limiter \|/,
    );
    const labels = rows.map((row) => row.metric.label).join('\n');
    for (const expected of [
      'enqueue, one at a time',
      'concurrency 100',
      'p99',
      'round trips',
      'memory per waiting',
      'worker processes',
      'peak RSS',
      'no group',
      'one group',
      '10,000 groups',
      'no rate limit',
      'rate limit 1,000,000 per second',
    ]) {
      expect(labels).toContain(expected);
    }
  }, 180_000);
});
