import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { retry, Subscription } from 'rxjs';
import { QueueService } from '../queue/queue.service';
import { StatusUpdate, TaskStatus } from '../core/task-status';

/** One queue's finished runs per minute, oldest minute first. */
export interface QueueThroughput {
  queue: string;
  /** Epoch ms of the first minute shown. */
  from: number;
  succeeded: number[];
  failed: number[];
}

export const CHART_MINUTES = 15;
const MINUTE = 60_000;

const logger = new Logger('taskmill:Dashboard');

/**
 * Counts the runs that succeeded and failed per queue and minute, from the status events of
 * every process, while the app runs: the overview's chart reads memory, never Redis. It starts
 * empty when the app starts and keeps CHART_MINUTES minutes.
 */
@Injectable()
export class ThroughputMeter implements OnApplicationBootstrap, OnModuleDestroy {
  /** queue → minute (epoch ms / MINUTE) → [succeeded, failed] */
  private readonly counts = new Map<string, Map<number, [number, number]>>();
  private subscription: Subscription | undefined;

  constructor(private readonly queue: QueueService) {}

  onApplicationBootstrap(): void {
    this.subscription = this.queue
      .events$()
      .pipe(retry({ delay: (error: unknown) => this.afterError(error) }))
      .subscribe((update) => this.count(update));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** The last CHART_MINUTES minutes of each queue, up to the current one. */
  series(queues: string[], now = Date.now()): QueueThroughput[] {
    const last = Math.floor(now / MINUTE);
    const first = last - CHART_MINUTES + 1;
    return queues.map((queue) => {
      const minutes = this.counts.get(queue);
      const succeeded: number[] = [];
      const failed: number[] = [];
      for (let minute = first; minute <= last; minute++) {
        const [ok, ko] = minutes?.get(minute) ?? [0, 0];
        succeeded.push(ok);
        failed.push(ko);
      }
      return { queue, from: first * MINUTE, succeeded, failed };
    });
  }

  private count(update: StatusUpdate): void {
    const failed = update.status === TaskStatus.FAILED;
    if (update.status !== TaskStatus.SUCCEEDED && !failed) return;
    const minute = Math.floor(update.at / MINUTE);
    const minutes = this.counts.get(update.queue) ?? new Map<number, [number, number]>();
    this.counts.set(update.queue, minutes);
    const entry = minutes.get(minute) ?? [0, 0];
    entry[failed ? 1 : 0]++;
    minutes.set(minute, entry);
    for (const old of minutes.keys()) if (old <= minute - CHART_MINUTES) minutes.delete(old);
  }

  private afterError(error: unknown): Promise<void> {
    logger.warn(`status events stopped (${String(error)}); listening again in 1 s`);
    return new Promise((resolve) => setTimeout(resolve, 1_000).unref());
  }
}
