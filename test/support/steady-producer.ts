import { QueueService } from '../../lib';
import { Ledger } from './ledger';

/** What a steady producer did: the ids Redis acknowledged, and the enqueues that failed. */
export interface ProducerTally {
  /** Ids in the order Redis acknowledged them; `until(n)` waits for the n-th. */
  acknowledged: Ledger<string>;
  refused: number;
  /** The first refusal of each kind (error name and message start), to show what happened. */
  refusals: Set<string>;
}

/**
 * Enqueues one task after another (the next once the previous call answered) until stopped:
 * the load a failover or a kill happens under. A refused enqueue (the server gone, read-only,
 * refusing writes) is counted and the producer goes on, as an app's request handler would.
 */
export function steadyProducer(
  queue: QueueService,
  enqueue: (queue: QueueService) => Promise<{ id: string }>,
  /** A pause after each acknowledged enqueue, so that the worker keeps up. */
  pauseMs = 5,
): { tally: ProducerTally; stop: () => Promise<ProducerTally> } {
  const tally: ProducerTally = { acknowledged: new Ledger(), refused: 0, refusals: new Set() };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        tally.acknowledged.add((await enqueue(queue)).id);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      } catch (error) {
        tally.refused++;
        const { name, message } = error as Error;
        tally.refusals.add(`${name}: ${message.slice(0, 120)}`);
        // An unreachable server fails at once: do not spin on it.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  })();
  return {
    tally,
    stop: async () => {
      stopped = true;
      await loop;
      return tally;
    },
  };
}
