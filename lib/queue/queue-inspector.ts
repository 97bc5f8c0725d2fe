import { Broker } from '../broker/broker';
import { QUEUE_STATES, QueueCounts, QueueState, TaskSummary } from '../broker/queue-snapshot';
import { InvalidOptionsError, UnknownQueueError } from '../errors';
import { timeOfStreamId } from '../status/status-codec';
import { checkName, checkPage, describe } from '../validation/checks';

/** Runs that ended lately, as the queue's events stream still shows them. */
export interface RecentOutcomes {
  succeeded: number;
  failed: number;
  cancelled: number;
  /**
   * When the oldest status change still in the stream happened (epoch ms, Redis server
   * clock): the counts cover the time since. Undefined when the stream is empty.
   */
  since: number | undefined;
}

/** A queue's counts, plus the outcomes of its recent runs. */
export interface QueueStats extends QueueCounts {
  recent: RecentOutcomes;
}

export interface ListPage {
  /** Skip this many, in the listing's order. Default 0. */
  offset?: number;
  /** At most this many, 1 to 1 000. Default 100. */
  limit?: number;
}

const MAX_LIMIT = 1000;
/** Events counted per script call: each call stays short, however long the stream is. */
const EVENTS_PAGE = 1000;

/** Counts and lists what queues hold (read only). */
export class QueueInspector {
  constructor(private readonly broker: Broker) {}

  /** One queue's counts (one consistent snapshot) and its recent outcomes. */
  async stats(queue: string): Promise<QueueStats> {
    checkName(queue, 'queue');
    const [{ known, counts }] = await this.broker.admin.counts([queue]);
    if (!known) throw new UnknownQueueError(queue);
    return { ...counts, recent: await this.recent(queue) };
  }

  /** Every queue of the prefix with its counts, by name. */
  async queues(): Promise<QueueCounts[]> {
    const all = await this.broker.admin.counts([]);
    return all.map(({ counts }) => counts).sort((a, b) => (a.queue < b.queue ? -1 : 1));
  }

  /** One page of a queue's tasks in `state` (see QueueState for each state's order). */
  async list(queue: string, state: QueueState, page?: ListPage): Promise<TaskSummary[]> {
    checkName(queue, 'queue');
    if (!QUEUE_STATES.includes(state)) {
      throw new InvalidOptionsError(
        'state',
        `must be one of ${QUEUE_STATES.join(', ')}, got ${describe(state)}`,
      );
    }
    const { offset, limit } = checkPage(page, MAX_LIMIT);
    const tasks = await this.broker.admin.list(queue, state, offset, limit);
    if (!tasks) throw new UnknownQueueError(queue);
    return tasks;
  }

  /** Counts the finished runs in the events stream, a page per call, newest first. */
  private async recent(queue: string): Promise<RecentOutcomes> {
    const recent: RecentOutcomes = { succeeded: 0, failed: 0, cancelled: 0, since: undefined };
    let before: string | undefined;
    for (;;) {
      const page = await this.broker.admin.countEvents(queue, EVENTS_PAGE, before);
      recent.succeeded += page.succeeded;
      recent.failed += page.failed;
      recent.cancelled += page.cancelled;
      if (page.read > 0) recent.since = timeOfStreamId(page.oldestId);
      if (page.read < EVENTS_PAGE) return recent;
      before = page.oldestId;
    }
  }
}
