import { TASK_FIELDS as F } from '../broker/keys';
import { ErrorDetails } from '../errors';
import { Serializer } from '../serialization/serializer';
import { StatusUpdate, TaskStatus } from '../core/task-status';

/** Task hash fields a status snapshot needs, in this order (HMGET). */
export const SNAPSHOT_FIELDS = [
  F.name,
  F.queue,
  F.status,
  F.attempt,
  F.eventId,
  F.error,
  F.progress,
];

/** A status update as read from Redis, with the serialised result when it came along. */
export interface TrackedUpdate {
  update: StatusUpdate;
  /** Stream id of the event that produced this state: later events have greater ids. */
  streamId: string;
  /** On SUCCEEDED: the serialised result ('' for undefined), when it was read with it. */
  result?: string;
}

/** When a status event happened: the time part of its stream id (Redis server clock). */
export function timeOfStreamId(streamId: string): number {
  return Number(streamId.slice(0, streamId.indexOf('-')));
}

/**
 * Builds a snapshot from HMGET of SNAPSHOT_FIELDS (plus F.result when asked for);
 * undefined when the task is gone.
 */
export function decodeSnapshot(
  id: string,
  values: (string | null)[],
  serializer: Serializer,
): TrackedUpdate | undefined {
  const [name, queue, status, attempt, eventId, error, progress, result] = values;
  if (!status || !queue || !name || !eventId) return undefined;
  const raw: RawUpdate = { task: name, status, attempt: attempt ?? '0' };
  if (status === TaskStatus.RETRYING || status === TaskStatus.FAILED) raw.error = error;
  if (status === TaskStatus.RUNNING) raw.progress = progressOf(progress, attempt);
  const tracked: TrackedUpdate = {
    update: decodeUpdate(id, queue, eventId, raw, serializer),
    streamId: eventId,
  };
  if (status === TaskStatus.SUCCEEDED && values.length > SNAPSHOT_FIELDS.length) {
    tracked.result = result ?? '';
  }
  return tracked;
}

/** Decodes one events-stream entry's flat field list. */
export function decodeStreamEntry(
  queue: string,
  streamId: string,
  fields: string[],
  serializer: Serializer,
): TrackedUpdate {
  const map: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) map[fields[i]] = fields[i + 1];
  const tracked: TrackedUpdate = {
    update: decodeUpdate(map.id, queue, streamId, map as unknown as RawUpdate, serializer),
    streamId,
  };
  if (map.result !== undefined) tracked.result = map.result;
  return tracked;
}

interface RawUpdate {
  task: string;
  status: string;
  attempt: string;
  error?: string | null;
  progress?: string | null;
}

function decodeUpdate(
  id: string,
  queue: string,
  streamId: string,
  raw: RawUpdate,
  serializer: Serializer,
): StatusUpdate {
  const update: StatusUpdate = {
    id,
    task: raw.task,
    queue,
    status: raw.status as TaskStatus,
    attempt: Number(raw.attempt),
    at: timeOfStreamId(streamId),
  };
  if (raw.error) update.error = JSON.parse(raw.error) as ErrorDetails;
  if (raw.progress) update.progress = serializer.deserialize(raw.progress);
  return update;
}

/** The UNKNOWN update reported for an id that has no record. */
export function unknownUpdate(id: string): TrackedUpdate {
  return {
    update: { id, task: '', queue: '', status: TaskStatus.UNKNOWN, attempt: 0, at: Date.now() },
    streamId: '0-0',
  };
}

/**
 * The UNKNOWN update that ends the follow of a task whose record vanished (Redis lost its
 * data): it keeps the task's name, queue and attempt from its last known update.
 */
export function vanishedUpdate(last: StatusUpdate): TrackedUpdate {
  const { id, task, queue, attempt } = last;
  return {
    update: { id, task, queue, status: TaskStatus.UNKNOWN, attempt, at: Date.now() },
    streamId: '0-0',
  };
}

/**
 * The stored progress (`<attempt>:<JSON>`, see progress-1.lua) when the running attempt sent
 * it; an earlier attempt's is stale. A value without the prefix predates it and is kept.
 */
function progressOf(stored: string | null, attempt: string | null): string | null {
  if (!stored) return null;
  const match = /^(\d+):/.exec(stored);
  if (!match) return stored;
  return match[1] === (attempt ?? '0') ? stored.slice(match[0].length) : null;
}
