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
    this.checkLocatable(id, 'chain');
    const found = await this.chainRecord(id);
    if (found === undefined) throw new TaskNotFoundError(id, 'chain');
    const [count, tags] = found;
    return new ChainHandle(
      id,
      range(1, count).map((step) => this.handle(memberIdOf(id, step, tags))),
    );
  }

  async chord(id: string): Promise<ChordHandle> {
    checkTaskId(id, 'id');
    this.checkLocatable(id, 'chord');
    const callbackId = `${id}-callback`;
    const [parts, tags] = await this.connections.guard(() =>
      this.connections.command.hmget(this.taskKey(callbackId), F.parts, F.chordTags),
    );
    if (parts === null) throw new TaskNotFoundError(id, 'chord');
    return new ChordHandle(
      id,
      range(1, Number(parts)).map((part) => this.handle(memberIdOf(id, part, tags))),
      this.handle(callbackId),
    );
  }

  /**
   * Workflow ids are generated: in the 'queue' layout they carry their slot's tag, so an id
   * without one names no chain or chord.
   */
  private checkLocatable(id: string, kind: 'chain' | 'chord'): void {
    if (!this.router.locate(id)) throw new TaskNotFoundError(id, kind);
  }

  /** A member's record: members are in the slot their workflow's id names. */
  private taskKey(id: string): string {
    const slot = this.router.locate(id);
    if (!slot) throw new QueueRequiredError(id);
    return slot.task(id);
  }

  /**
   * The chain's length and its steps' tags (null: every step has the chain id's), from the
   * first step's record; when that one expired first (it ended first), any other's in its slot.
   */
  private async chainRecord(id: string): Promise<[number, string | null] | undefined> {
    const redis = this.connections.command;
    const recordOf = (step: number) =>
      redis.hmget(this.taskKey(`${id}-${step}`), F.chainSteps, F.chainTags);
    const first = await this.connections.guard(() => recordOf(1));
    const found =
      first[0] !== null
        ? first
        : (await this.connections.guard(() => Promise.all(range(2, MAX_STEPS).map(recordOf)))).find(
            (record) => record[0] !== null,
          );
    return found && found[0] !== null ? [Number(found[0]), found[1]] : undefined;
  }
}

/**
 * Member `n`'s id: `<id>-<n>`, or with its own slot's tag when the workflow spans slots (its
 * record lists each member's tag).
 */
function memberIdOf(id: string, n: number, tags: string | null): string {
  const tag = tags === null ? undefined : (JSON.parse(tags) as unknown[])[n - 1];
  return typeof tag === 'string' ? `${tag}${id.slice(tag.length)}-${n}` : `${id}-${n}`;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
