import { BenchCase, prefill, sized } from './bench-case';
import { drain, mirrored } from './drain';

const CONCURRENCY = 100;
/** A million starts a second: far above what one worker reaches, so it never holds a task back. */
const FAR_OFF = { max: 1_000_000, perMs: 1_000 };
const VARIANTS = ['unlimited', 'limited'] as const;

/**
 * Flow control: what a queue rate limit costs while it allows every start. The limit is
 * checked in every claim (taskmill: a sliding log of the window's starts; BullMQ: its worker's
 * `limiter`), so the throughput with it should stay within a few percent of none.
 */
export const rateLimitCase: BenchCase = {
  section: 'flow control',
  unsupported: { 'bee-queue': 'no rate limiter' },
  metrics: [
    {
      key: 'unlimited',
      label: `process pre-filled tasks, concurrency ${CONCURRENCY}, no rate limit`,
      unit: 'tasks/s',
      better: 'higher',
    },
    {
      key: 'limited',
      label: `process pre-filled tasks, concurrency ${CONCURRENCY}, rate limit 1,000,000 per second`,
      unit: 'tasks/s',
      better: 'higher',
    },
    {
      key: 'cpu.unlimited',
      label: 'Redis server CPU per task (claim and outcome), no rate limit',
      unit: 'µs',
      better: 'lower',
    },
    {
      key: 'cpu.limited',
      label: 'Redis server CPU per task (claim and outcome), rate limit 1,000,000 per second',
      unit: 'µs',
      better: 'lower',
    },
    {
      key: 'ratio',
      label: 'throughput with the far-off rate limit ÷ without',
      unit: '×',
      better: 'higher',
    },
  ],
  async run(subject, context) {
    const count = sized(context, 50_000, 20_000);
    const totals = await mirrored(VARIANTS, (variant) =>
      drain(subject, context, count, () => prefill(subject, count, false), {
        concurrency: CONCURRENCY,
        keepResults: false,
        queueRateLimit: variant === 'limited' ? FAR_OFF : 'none',
      }),
    );
    // Both variants ran twice, `count` tasks each time.
    const unlimited = (2 * count) / totals.unlimited.seconds;
    const limited = (2 * count) / totals.limited.seconds;
    return {
      unlimited,
      limited,
      // Less swayed than the throughput by a neighbour's load on a shared machine.
      'cpu.unlimited': totals.unlimited.cpuMicros / (2 * count),
      'cpu.limited': totals.limited.cpuMicros / (2 * count),
      ratio: limited / unlimited,
    };
  },
};
