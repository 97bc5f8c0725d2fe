import { Subject, WorkerSetup } from '../subjects/subject';
import { delta } from '../probe';
import { BenchContext } from './bench-case';

/** What draining a pre-filled queue took: wall time, and Redis's work meanwhile. */
export interface Drained {
  seconds: number;
  commands: number;
  cpuMicros: number;
}

/**
 * Fills the queue with `fill`, then drains `count` tasks with a fresh worker. Only the drain is
 * timed and counted: the worker's start, its claims and its outcomes.
 */
export async function drain(
  subject: Subject,
  context: BenchContext,
  count: number,
  fill: () => Promise<void>,
  setup: WorkerSetup,
): Promise<Drained> {
  await fill();
  const worker = await subject.startWorker(setup);
  const before = await context.probe.counters();
  const startedAt = performance.now();
  await worker.begin();
  await worker.completed(count);
  const seconds = (performance.now() - startedAt) / 1000;
  const used = delta(await context.probe.counters(), before);
  await worker.stop();
  return { seconds, commands: used.commands, cpuMicros: used.cpuMicros };
}

/**
 * Measures each variant twice, in mirrored order (a b c c b a), and adds up its two runs: a
 * machine that speeds up or slows down during the case (warm-up, a neighbour's load) then
 * weighs on every variant alike, so the ratios between them stay fair.
 */
export async function mirrored<V extends string>(
  variants: readonly V[],
  measure: (variant: V) => Promise<Drained>,
): Promise<Record<V, Drained>> {
  const totals = {} as Record<V, Drained>;
  for (const variant of [...variants, ...[...variants].reverse()]) {
    const run = await measure(variant);
    const total = totals[variant] ?? { seconds: 0, commands: 0, cpuMicros: 0 };
    totals[variant] = {
      seconds: total.seconds + run.seconds,
      commands: total.commands + run.commands,
      cpuMicros: total.cpuMicros + run.cpuMicros,
    };
  }
  return totals;
}
