import { RedisProbe } from '../probe';
import { Subject } from '../subjects/subject';

/** One measured figure of a case. */
export interface Metric {
  key: string;
  label: string;
  unit: string;
  /** Which direction is better, for the ratio's reading. */
  better: 'higher' | 'lower';
}

/** `full` for the published figures, `quick` for a < 1 minute look, `tiny` for the guard test. */
export type BenchScale = 'tiny' | 'quick' | 'full';

export interface BenchContext {
  url: string;
  probe: RedisProbe;
  scale: BenchScale;
}

/** How many tasks a case uses at each scale. */
export function sized(context: BenchContext, full: number, quick: number): number {
  if (context.scale === 'full') return full;
  return context.scale === 'quick' ? quick : Math.max(20, Math.round(quick / 20));
}

/**
 * Which table a case's rows go to: the comparison of the three libraries, or flow control,
 * whose features the peers lack or sell apart, so that a "vs" ratio would mean nothing.
 */
export type BenchSection = 'comparison' | 'flow control';

/** A benchmark case: run once per subject and repeat; returns one value per metric. */
export interface BenchCase {
  metrics: Metric[];
  /** Default `'comparison'`. */
  section?: BenchSection;
  /**
   * The libraries that cannot run the case, by name, with why (shown in their cells): they are
   * skipped, not run without the feature measured.
   */
  unsupported?: Record<string, string>;
  run(subject: Subject, context: BenchContext): Promise<Record<string, number>>;
}

/** Runs `task(i)` for i < count with at most `limit` in flight. */
export async function pool(
  count: number,
  limit: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
}

export function range(count: number, from = 0): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Enqueues `count` tasks in batches of 1,000. */
export async function prefill(subject: Subject, count: number, keepResult: boolean): Promise<void> {
  for (let from = 0; from < count; from += 1000) {
    await subject.enqueueBulk(range(Math.min(1000, count - from), from), keepResult);
  }
}
