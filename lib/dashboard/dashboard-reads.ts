import { Injectable } from '@nestjs/common';
import { QueueCounts, QueueState, TaskSummary } from '../broker/queue-snapshot';
import { TaskNotFoundError } from '../errors';
import { LockHolder } from '../locks/lock.options';
import { LockService } from '../locks/lock.service';
import { ScheduleInfo } from '../options/schedule.options';
import { DeadLetter } from '../queue/dead-letters';
import { QueueStats } from '../queue/queue-inspector';
import { QueueService } from '../queue/queue.service';
import { TaskDetails } from '../status/task-details';
import { QueueThroughput, ThroughputMeter } from './throughput-meter';

export interface Overview {
  queues: QueueCounts[];
  throughput: QueueThroughput[];
}

export interface QueuePage {
  stats: QueueStats;
  state: QueueState;
  offset: number;
  limit: number;
  tasks: TaskSummary[];
}

export interface DeadPage {
  stats: QueueStats;
  offset: number;
  limit: number;
  letters: DeadLetter[];
}

/**
 * What each page reads, through QueueService and LockService, each bounded: counters, one page
 * of a listing, one task's or lock's record; never a scan of a queue's tasks.
 */
@Injectable()
export class DashboardReads {
  constructor(
    private readonly queue: QueueService,
    private readonly meter: ThroughputMeter,
    private readonly locks: LockService,
  ) {}

  /** Every queue's counters (one script), and the chart from memory. */
  async overview(): Promise<Overview> {
    const queues = await this.queue.queues();
    return { queues, throughput: this.meter.series(queues.map(({ queue }) => queue)) };
  }

  /** The queue's counters and recent outcomes, and one page of its tasks in `state`. */
  async queuePage(queue: string, state: QueueState, offset: number, limit: number) {
    const [stats, tasks] = await Promise.all([
      this.queue.stats(queue),
      this.queue.list(queue, state, { offset, limit }),
    ]);
    return { stats, state, offset, limit, tasks } satisfies QueuePage;
  }

  /** One task's record (one HMGET); 404 when it has none. */
  async task(id: string, queue: string | undefined): Promise<TaskDetails> {
    const details = await this.queue.inspect(id, queue);
    if (!details) throw new TaskNotFoundError(id);
    return details;
  }

  /** The queue's counters (an unknown queue is a 404), and one page of its dead letters. */
  async dead(queue: string, offset: number, limit: number): Promise<DeadPage> {
    const [stats, letters] = await Promise.all([
      this.queue.stats(queue),
      this.queue.deadLetters(queue, { offset, limit }),
    ]);
    return { stats, offset, limit, letters };
  }

  schedules(): Promise<ScheduleInfo[]> {
    return this.queue.schedules();
  }

  /** Who holds one lock, by name (locks have no index to list them by: see docs/dashboard.md). */
  async lock(name: string): Promise<{ name: string; holder: LockHolder | null }> {
    return { name, holder: await this.locks.holder(name) };
  }
}
