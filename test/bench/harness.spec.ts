import { runBenchmarks } from '../../bench/run';
import { table } from '../../bench/report';

/**
 * Guards the benchmark harness itself, at a tiny size: both libraries run every case to the
 * end (a processing case only returns once every task completed) and the table has every
 * row. No timing is asserted: figures from a shared test machine mean nothing.
 */
describe('benchmark harness', () => {
  it('runs every case for taskmill and BullMQ and reports every figure', async () => {
    const rows = await runBenchmarks({ scale: 'tiny', repeats: 1, log: () => undefined });
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const { metric, samples } of rows) {
      for (const library of ['taskmill', 'BullMQ']) {
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
    const labels = rows.map((row) => row.metric.label).join('\n');
    for (const expected of [
      'enqueue, one at a time',
      'concurrency 100',
      'p99',
      'round trips',
      'memory per waiting',
      'worker processes',
      'peak RSS',
    ]) {
      expect(labels).toContain(expected);
    }
  }, 180_000);
});
