import { TASK_FIELDS as F } from '../broker/keys';
import { TaskRouter } from '../broker/task-router';
import { QueueRequiredError, TaskNotFoundError } from '../errors';
import { RedisConnections } from '../redis/redis-connections';
import { checkTaskId } from '../validation/checks';
import { ChainHandle } from './chain-handle';
import { MAX_STEPS } from './chains';
import { ChordHandle } from './group-handle';
import { TaskHandle } from './task-handle';

/**
 * Finds a chain or a chord again from its id, e.g. in a later request: their tasks' ids are
 * derived from it (`<id>-<n>`, `<id>-callback`) and their records say how many there are
 * (a chain's steps each keep its length; a chord's callback, its number of parts). Reads
 * only, so no script: what it finds is followed through the tasks' own handles.
 */
export class WorkflowLookup {
  constructor(
    private readonly connections: RedisConnections,
    private readonly router: TaskRouter,
    private readonly handle: (id: string) => TaskHandle,
  ) {}

  async chain(id: string): Promise<ChainHandle> {
    checkTaskId(id, 'id');
    const count = await this.chainLength(id);
    if (count === undefined) throw new TaskNotFoundError(id, 'chain');
    return new ChainHandle(
      id,
      range(1, count).map((step) => this.handle(`${id}-${step}`)),
    );
  }

  async chord(id: string): Promise<ChordHandle> {
    checkTaskId(id, 'id');
    const callbackId = `${id}-callback`;
    const parts = await this.connections.guard(() =>
      this.connections.command.hget(this.taskKey(callbackId), F.parts),
    );
    if (parts === null) throw new TaskNotFoundError(id, 'chord');
    return new ChordHandle(
      id,
      range(1, Number(parts)).map((part) => this.handle(`${id}-${part}`)),
      this.handle(callbackId),
    );
  }

  /** A member's record: members are in the slot their workflow's id names. */
  private taskKey(id: string): string {
    const slot = this.router.locate(id);
    if (!slot) throw new QueueRequiredError(id);
    return slot.task(id);
  }

  /** From the first step's record; when that one expired first (it ended first), any other's. */
  private async chainLength(id: string): Promise<number | undefined> {
    const redis = this.connections.command;
    const lengthOf = (step: number) => redis.hget(this.taskKey(`${id}-${step}`), F.chainSteps);
    const first = await this.connections.guard(() => lengthOf(1));
    if (first !== null) return Number(first);
    const others = await this.connections.guard(() =>
      Promise.all(range(2, MAX_STEPS).map(lengthOf)),
    );
    const found = others.find((length) => length !== null);
    return found === undefined || found === null ? undefined : Number(found);
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
