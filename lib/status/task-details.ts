import { TASK_FIELDS as F } from '../broker/keys';
import { TaskRouter } from '../broker/task-router';
import { ErrorDetails } from '../errors';
import { RedisConnections } from '../redis/redis-connections';
import { Serializer } from '../serialization/serializer';
import { StatusUpdate, TaskStatus } from '../core/task-status';
import { decodeHistory, HistoryEntry } from './history';
import { decodeSnapshot, SNAPSHOT_FIELDS } from './status-codec';

/** How a task is tied to others, as far as its record says. */
export interface TaskLinks {
  /** Chains: the step after this one. */
  next?: string;
  /** Chains: the step before this one, while this one waits for it. */
  previous?: string;
  /** Chords: the callback this task is a part of. */
  chord?: string;
  /** Chords: this part's position among the parts (from 0). */
  chordIndex?: number;
  /** Chords, on the callback: how many parts there are, and how many have not ended. */
  parts?: number;
  pendingParts?: number;
  /** Parent/child: the tasks this running task waits for, while it waits. */
  waitingFor?: string[];
}

/** Everything a task's record holds, decoded: what `queue.inspect(id)` returns. */
export interface TaskDetails extends StatusUpdate {
  priority: number;
  /** When it was enqueued, epoch ms (Redis server clock). */
  enqueuedAt: number;
  /** The arguments, deserialised; undefined when the serializer could not read them. */
  args: unknown;
  metadata?: Record<string, unknown>;
  /** On SUCCEEDED: the handler's return value. */
  result?: unknown;
  /** The last run's error with its stack (RETRYING, FAILED; kept after a later success too). */
  lastError?: ErrorDetails;
  history: HistoryEntry[];
  links: TaskLinks;
}

const DETAIL_FIELDS = [
  F.args,
  F.priority,
  F.metadata,
  F.createdAt,
  F.result,
  F.error,
  F.history,
  F.next,
  F.after,
  F.chord,
  F.chordIndex,
  F.parts,
  F.pending,
  F.waitingFor,
];

/** Reads one task's whole record in one HMGET (never a scan). */
export class TaskDetailsReader {
  constructor(
    private readonly connections: RedisConnections,
    private readonly router: TaskRouter,
    private readonly serializer: Serializer,
  ) {}

  /** The task's details; undefined when it has no record. */
  async read(id: string, queue?: string): Promise<TaskDetails | undefined> {
    const key = this.router.slotOfTask(id, queue).task(id);
    const values = await this.connections.guard(() =>
      this.connections.command.hmget(key, ...SNAPSHOT_FIELDS, ...DETAIL_FIELDS),
    );
    const snapshot = decodeSnapshot(id, values.slice(0, SNAPSHOT_FIELDS.length), this.serializer);
    if (!snapshot) return undefined;
    const [args, priority, metadata, createdAt, result, error, history, ...links] = values.slice(
      SNAPSHOT_FIELDS.length,
    );
    const details: TaskDetails = {
      ...snapshot.update,
      priority: Number(priority ?? 0),
      enqueuedAt: Number(createdAt ?? 0),
      args: this.readable(args),
      history: decodeHistory(createdAt, history),
      links: decodeLinks(links),
    };
    if (metadata) details.metadata = this.readable(metadata) as Record<string, unknown>;
    if (snapshot.update.status === TaskStatus.SUCCEEDED) details.result = this.readable(result);
    if (error) details.lastError = JSON.parse(error) as ErrorDetails;
    return details;
  }

  /** A stored value deserialised; undefined when absent or unreadable (e.g. a changed serializer). */
  private readable(text: string | null): unknown {
    if (!text) return undefined;
    try {
      return this.serializer.deserialize(text);
    } catch {
      return undefined;
    }
  }
}

function decodeLinks(values: (string | null)[]): TaskLinks {
  const [next, after, chord, chordIndex, parts, pending, waitingFor] = values;
  const links: TaskLinks = {};
  if (next) links.next = next;
  // A chord's callback waits for its parts, marked 'chord' (see enqueue-chord-1.lua), not a step.
  if (after && after !== 'chord') links.previous = after;
  if (chord) links.chord = chord;
  if (chordIndex) links.chordIndex = Number(chordIndex);
  if (parts) links.parts = Number(parts);
  if (pending) links.pendingParts = Number(pending);
  if (waitingFor) links.waitingFor = JSON.parse(waitingFor) as string[];
  return links;
}
