import { ConsumerScripts, Hosting } from '../broker/consumer-scripts';

/**
 * How long a worker's mark that it consumes a queue lives. Workers rewrite it every third of
 * that, so a worker that stops (or dies) stops counting within this long. The TTL is kept by
 * Redis: no clock of ours is compared with another machine's.
 */
export const CONSUMED_TTL_MS = 30_000;

/**
 * Which queues live workers consume, and which task names they have handlers for there
 * (KEY_FAMILIES.consumed and hosts, in the prefix's slot): workers mark theirs while they run,
 * producers ask before warning that tasks they enqueue have no worker to run them.
 */
export class QueueConsumers {
  constructor(private readonly scripts: ConsumerScripts) {}

  /**
   * Marks `queues` as consumed, each hosting the task names `hosted` (undefined: any name),
   * now and again every third of CONSUMED_TTL_MS until the returned function is called: one
   * call for every queue. Not awaited: a worker starts while Redis is down (the next round
   * writes the marks), and a producer's check sent later on the same connection is answered
   * after the first marks anyway.
   */
  beacon(queues: readonly string[], hosted?: readonly string[]): () => void {
    const mark = () => void this.scripts.mark(queues, hosted, CONSUMED_TTL_MS).catch(() => 0);
    mark();
    const timer = setInterval(mark, CONSUMED_TTL_MS / 3);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Whether a live worker consumes `queue`, and whether one of them hosts task `name`. */
  hosting(queue: string, name: string): Promise<Hosting> {
    return this.scripts.hosting(queue, name);
  }
}
