import { Injectable } from '@nestjs/common';
import { Task, taskContext } from '../../lib';

/** A slow task that reports progress: each `progress()` is a RUNNING update for observers. */
@Injectable()
export class ImportService {
  @Task({ name: 'import.rows', timeout: 10_000 })
  async importRows(total: number): Promise<{ imported: number }> {
    const { progress, signal } = taskContext();
    for (let done = 1; done <= total; done++) {
      // Stop early when the timeout or a cancel() aborts the run.
      signal.throwIfAborted();
      await sleep(250);
      await progress({ done, total });
    }
    return { imported: total };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
