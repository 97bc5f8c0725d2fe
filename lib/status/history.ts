import { ErrorDetails } from '../errors';
import { timeOfStreamId } from './status-codec';
import { TaskStatus } from './task-status';

/** One entry of a task's status history. */
export interface HistoryEntry {
  status: TaskStatus;
  attempt: number;
  /** epoch ms, Redis server clock */
  at: number;
  /** name and message of the run's error, on RETRYING and FAILED */
  error?: Pick<ErrorDetails, 'name' | 'message'>;
}

interface StoredEntry {
  s: TaskStatus;
  a: number;
  e: string;
  n?: string;
  m?: string;
}

/**
 * The history field holds every change after SUBMITTED as comma-separated JSON objects;
 * SUBMITTED itself is the task's creation time.
 */
export function decodeHistory(createdAt: string | null, stored: string | null): HistoryEntry[] {
  if (createdAt === null) return [];
  const entries: HistoryEntry[] = [
    { status: TaskStatus.SUBMITTED, attempt: 0, at: Number(createdAt) },
  ];
  if (!stored) return entries;
  for (const entry of JSON.parse(`[${stored}]`) as StoredEntry[]) {
    const item: HistoryEntry = { status: entry.s, attempt: entry.a, at: timeOfStreamId(entry.e) };
    if (entry.n !== undefined) item.error = { name: entry.n, message: entry.m ?? '' };
    entries.push(item);
  }
  return entries;
}
