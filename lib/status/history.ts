import { ErrorDetails } from '../errors';
import { TaskStatus } from '../core/task-status';

/** One entry of a task's status history. */
export interface HistoryEntry {
  status: TaskStatus;
  attempt: number;
  /** epoch ms, Redis server clock */
  at: number;
  /** name and message of the run's error, on RETRYING and FAILED */
  error?: Pick<ErrorDetails, 'name' | 'message'>;
}

/** [status, attempt, ms since creation, [error name, message]?] */
type StoredEntry = [TaskStatus, number, number, [string, string]?];

/**
 * The history field holds every change after SUBMITTED as comma-separated JSON arrays;
 * SUBMITTED itself is the task's creation time.
 */
export function decodeHistory(createdAt: string | null, stored: string | null): HistoryEntry[] {
  if (createdAt === null) return [];
  const entries: HistoryEntry[] = [
    { status: TaskStatus.SUBMITTED, attempt: 0, at: Number(createdAt) },
  ];
  if (!stored) return entries;
  for (const [status, attempt, since, failure] of JSON.parse(`[${stored}]`) as StoredEntry[]) {
    const item: HistoryEntry = { status, attempt, at: Number(createdAt) + since };
    if (failure) item.error = { name: failure[0], message: failure[1] };
    entries.push(item);
  }
  return entries;
}
