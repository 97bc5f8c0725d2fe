import { TaskHandle, TaskStatus } from '../../lib';

/** When a run started and ended (Redis server clock, epoch ms), from a task's history. */
export interface RunSpan {
  id: string;
  start: number;
  end: number;
}

/** The runs of each task (every attempt), from their histories, by start time. */
export async function runSpans(handles: TaskHandle[]): Promise<RunSpan[]> {
  const spans: RunSpan[] = [];
  for (const handle of handles) {
    const history = await handle.history();
    history.forEach((entry, i) => {
      if (entry.status !== TaskStatus.RUNNING) return;
      const next = history.slice(i + 1).find((later) => later.status !== TaskStatus.RUNNING);
      spans.push({ id: handle.id, start: entry.at, end: next?.at ?? Infinity });
    });
  }
  return spans.sort((a, b) => a.start - b.start);
}

/**
 * The most starts found in any interval of `perMs` (sliding, closed at its start and open at
 * its end): what a rate limit of that window bounds.
 */
export function mostStartsWithin(starts: number[], perMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] >= perMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The most runs running at once (a run that ends at t no longer runs at t). */
export function mostAtOnce(spans: RunSpan[]): number {
  let most = 0;
  for (const { start } of spans) {
    const running = spans.filter((span) => span.start <= start && start < span.end).length;
    most = Math.max(most, running);
  }
  return most;
}
