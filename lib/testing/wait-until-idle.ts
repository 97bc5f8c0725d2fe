import type { INestApplicationContext } from '@nestjs/common';
import { merge, timer } from 'rxjs';
import { InvalidOptionsError, UnknownQueueError } from '../errors';
import { QueueService } from '../queue/queue.service';
import { checkDuration, checkKnownKeys, checkName, checkObject } from '../validation/checks';
import { WorkerService } from '../worker/worker.service';
import { IdleTimeoutError } from './idle-timeout.error';

export interface WaitUntilIdleOptions {
  /** Give up after this many ms with IdleTimeoutError. Default `10 000`. */
  timeout?: number;
  /** The queues to watch. Default: the queues the app's worker consumes. */
  queues?: string[];
}

/** How often the counts are read again when no status event came (a delay falling due). */
const RECHECK_MS = 100;

/**
 * Resolves once no task of the app's queues is waiting, due later or running: for tests that
 * enqueue work and then assert on what it did.
 * @example
 * await queue.enqueue('email.send', ['a@b.c']);
 * await waitUntilIdle(app);
 * expect(mailer.sent).toHaveLength(1);
 */
export async function waitUntilIdle(
  app: INestApplicationContext,
  options: WaitUntilIdleOptions = {},
): Promise<void> {
  const checked = checkObject(options, 'options');
  checkKnownKeys(checked, ['timeout', 'queues'], '');
  const timeoutMs = checkDuration(checked.timeout ?? 10_000, 'timeout');
  const queue = app.get(QueueService);
  const names = queuesOf(checked.queues) ?? app.get(WorkerService).queues();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Listening before reading: a change right after the read still wakes the next round.
    const change = nextChange(queue, names);
    try {
      const counts = await Promise.all(names.map((name) => countsOf(queue, name)));
      const busy = counts.filter((c) => c.waiting + c.delayed + c.running > 0);
      if (busy.length === 0) return;
      if (Date.now() >= deadline) throw new IdleTimeoutError(timeoutMs, busy);
      await change.next;
    } finally {
      change.stop();
    }
  }
}

/** The next status event of `names`, or RECHECK_MS, whichever comes first. */
function nextChange(
  queue: QueueService,
  names: string[],
): { next: Promise<void>; stop: () => void } {
  let changed: () => void = () => undefined;
  const next = new Promise<void>((resolve) => (changed = resolve));
  const events = merge(...names.map((name) => queue.events$({ queue: name })), timer(RECHECK_MS));
  const subscription = events.subscribe({ next: () => changed(), complete: () => changed() });
  const stop = () => subscription.unsubscribe();
  return { next, stop };
}

function queuesOf(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidOptionsError('queues', 'must be a non-empty array of queue names');
  }
  return value.map((name, i) => checkName(name, `queues[${i}]`));
}

/** A queue no task was ever enqueued to is idle. */
async function countsOf(queue: QueueService, name: string) {
  try {
    const { waiting, delayed, running } = await queue.stats(name);
    return { queue: name, waiting, delayed, running };
  } catch (error) {
    if (error instanceof UnknownQueueError)
      return { queue: name, waiting: 0, delayed: 0, running: 0 };
    throw error;
  }
}
