import type { ErrorDetails } from '../errors';
import type { PoolMechanism } from '../options/task.options';

/**
 * The messages between the worker and its pool members. Payloads (arguments, results,
 * progress, metadata) cross as text made by the configured serializer, so both sides agree
 * on values exactly as Redis would; everything else is plain JSON.
 */

/** What a member is told at spawn (as JSON in POOL_MEMBER_ENV). */
export interface MemberConfig {
  module: string;
  export: string;
  mechanism: PoolMechanism;
}

/** What the handler's taskContext() shows in the member. */
export interface RunContextData {
  id: string;
  name: string;
  queue: string;
  attempt: number;
  /** Serialised, when the task has any. */
  metadata?: string;
  previous?: string;
  previousError?: ErrorDetails;
}

export type ToMember =
  | { type: 'run'; key: string; name: string; args: string; context: RunContextData }
  | { type: 'reply'; seq: number; error?: ErrorDetails };

export type FromMember =
  /** Booted: the tasks its module's providers declare. */
  | { type: 'ready'; tasks: string[] }
  | { type: 'boot-failed'; message: string }
  | { type: 'progress'; key: string; seq: number; value: string; options?: { confirm?: boolean } }
  | { type: 'done'; key: string; ok: true; result: string }
  | { type: 'done'; key: string; ok: false; error: ErrorDetails; final: boolean };
