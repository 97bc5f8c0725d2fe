import { ConflictException, Injectable } from '@nestjs/common';
import { InvalidOptionsError, TaskNotFoundError } from '../errors';
import { QueueService } from '../queue/queue.service';
import { isTerminal, TaskStatus } from '../core/task-status';
import { checkObject } from '../validation/checks';

/** What an action answers: what it changed, in words the page shows. */
export interface ActionResult {
  message: string;
  count?: number;
}

/** What one action needs from the request body. */
interface ActionInput {
  queue?: string;
  id?: string;
  ids?: string[];
}

/** Requeue-all and purge-all go a batch (of up to 1 000) at a time, up to this many batches. */
const MAX_BATCHES = 1_000;
const BATCH = 1_000;

export const ACTIONS = [
  'cancel',
  'retry',
  'requeue',
  'purge',
  'pause',
  'resume',
  'drain',
  'obliterate',
] as const;
export type ActionName = (typeof ACTIONS)[number];

/** The dashboard's actions, each one call (or a bounded loop of calls) of QueueService. */
@Injectable()
export class DashboardActions {
  private readonly run: Record<ActionName, (input: ActionInput) => Promise<ActionResult>> = {
    cancel: (input) => this.cancel(input),
    retry: (input) => this.retry(input),
    requeue: (input) => this.requeue(input),
    purge: (input) => this.purge(input),
    pause: async (input) => {
      const changed = await this.queue.pause(required(input.queue, 'queue'));
      return { message: changed ? 'Queue paused.' : 'The queue was paused already.' };
    },
    resume: async (input) => {
      const changed = await this.queue.resume(required(input.queue, 'queue'));
      return { message: changed ? 'Queue resumed.' : 'The queue was not paused.' };
    },
    drain: async (input) => {
      const count = await this.queue.drain(required(input.queue, 'queue'));
      return { message: `${count} waiting or delayed task(s) cancelled.`, count };
    },
    obliterate: async (input) => {
      const count = await this.queue.obliterate(required(input.queue, 'queue'));
      return { message: `Queue deleted with ${count} task record(s).`, count };
    },
  };

  constructor(private readonly queue: QueueService) {}

  perform(name: string, body: unknown): Promise<ActionResult> {
    if (!(ACTIONS as readonly string[]).includes(name)) {
      throw new InvalidOptionsError('action', `unknown action "${name.slice(0, 40)}"`);
    }
    return this.run[name as ActionName](checkObject(body ?? {}, 'body') as ActionInput);
  }

  private async cancel(input: ActionInput): Promise<ActionResult> {
    const id = required(input.id, 'id');
    const details = await this.queue.inspect(id, input.queue);
    if (!details) throw new TaskNotFoundError(id);
    if (isTerminal(details.status) || !(await this.queue.handle(id, details.queue).cancel())) {
      throw new ConflictException(
        `Task "${id}" has finished (${details.status}): nothing to cancel.`,
      );
    }
    return { message: 'Task cancelled.' };
  }

  /** Runs a failed task again now, its retries renewed: a requeue of its dead letter. */
  private async retry(input: ActionInput): Promise<ActionResult> {
    const id = required(input.id, 'id');
    const details = await this.queue.inspect(id, input.queue);
    if (!details) throw new TaskNotFoundError(id);
    const failed = details.status === TaskStatus.FAILED;
    if (!failed || (await this.queue.requeueDead(details.queue, [id])).length === 0) {
      throw new ConflictException(
        `Task "${id}" is ${details.status}, not in the dead-letter set: only failed tasks can be retried.`,
      );
    }
    return { message: 'Task requeued.', count: 1 };
  }

  /** The given dead letters, or every one (a batch at a time). */
  private async requeue(input: ActionInput): Promise<ActionResult> {
    const queue = required(input.queue, 'queue');
    const count = await this.inBatches(
      input.ids,
      async (ids) => (await this.queue.requeueDead(queue, ids)).length,
    );
    return { message: `${count} dead letter(s) requeued.`, count };
  }

  private async purge(input: ActionInput): Promise<ActionResult> {
    const queue = required(input.queue, 'queue');
    const count = await this.inBatches(input.ids, (ids) => this.queue.purgeDead(queue, ids));
    return { message: `${count} dead letter(s) deleted.`, count };
  }

  private async inBatches(
    ids: string[] | undefined,
    step: (ids: string[] | undefined) => Promise<number>,
  ): Promise<number> {
    if (ids !== undefined) {
      // QueueService reads no ids as "the oldest": an empty list must not mean that here.
      if (!Array.isArray(ids) || ids.length === 0) {
        throw new InvalidOptionsError('ids', 'must name at least one task; leave it out for all');
      }
      return step(ids);
    }
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const done = await step(undefined);
      total += done;
      if (done < BATCH) break;
    }
    return total;
  }
}

function required(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidOptionsError(field, `the request body needs "${field}"`);
  }
  return value;
}
