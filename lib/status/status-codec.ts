import { ErrorDetails } from '../errors';
import { Serializer } from '../serialization/serializer';
import { StatusUpdate, TaskStatus } from './task-status';

/** Task hash fields a status snapshot needs, in this order (HMGET). */
export const SNAPSHOT_FIELDS = [
  'name',
  'queue',
  'status',
  'attempt',
  'updatedAt',
  'error',
  'progress',
  'sid',
] as const;

export interface Snapshot {
  update: StatusUpdate;
  /** Stream id of the event that produced this state: later events have greater ids. */
  streamId: string;
}

/** Builds a status snapshot from HMGET of SNAPSHOT_FIELDS; undefined when the task is gone. */
export function decodeSnapshot(
  id: string,
  values: (string | null)[],
  serializer: Serializer,
): Snapshot | undefined {
  const [name, queue, status, attempt, updatedAt, error, progress, sid] = values;
  if (!status || !queue || !name) return undefined;
  const update = decodeUpdate(
    id,
    queue,
    {
      task: name,
      status,
      attempt: attempt ?? '0',
      at: updatedAt ?? '0',
      error: status === TaskStatus.RETRYING || status === TaskStatus.FAILED ? error : null,
      progress: status === TaskStatus.RUNNING ? progress : null,
    },
    serializer,
  );
  return { update, streamId: sid ?? '0-0' };
}

/** Decodes one events-stream entry's flat field list. */
export function decodeStreamEntry(
  queue: string,
  fields: string[],
  serializer: Serializer,
): StatusUpdate {
  const map: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) map[fields[i]] = fields[i + 1];
  return decodeUpdate(map.id, queue, map as unknown as RawUpdate, serializer);
}

interface RawUpdate {
  task: string;
  status: string;
  attempt: string;
  at: string;
  error?: string | null;
  progress?: string | null;
}

function decodeUpdate(
  id: string,
  queue: string,
  raw: RawUpdate,
  serializer: Serializer,
): StatusUpdate {
  const update: StatusUpdate = {
    id,
    task: raw.task,
    queue,
    status: raw.status as TaskStatus,
    attempt: Number(raw.attempt),
    at: Number(raw.at),
  };
  if (raw.error) update.error = JSON.parse(raw.error) as ErrorDetails;
  if (raw.progress) update.progress = serializer.deserialize(raw.progress);
  return update;
}

/** The UNKNOWN update reported for an id that has no record. */
export function unknownUpdate(id: string): StatusUpdate {
  return { id, task: '', queue: '', status: TaskStatus.UNKNOWN, attempt: 0, at: Date.now() };
}
