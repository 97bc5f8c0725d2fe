import type { Redis } from 'ioredis';
import { MessageAlreadyExistsError } from '../errors';
import { ClaimBatch, parseClaimReply } from './claimed-task';
import { KeyBuilder } from './keys';
import { NewTask, newTaskArguments } from './new-task';
import { defineScripts } from './script-loader';
import { withConnectionErrors } from '../redis/connection-errors';

/** What an outcome script did. `fenced`: a newer attempt owns the task, nothing was written. */
export type OutcomeResult = 'recorded' | 'cancelled' | 'fenced' | 'missing';
export type CancelResult = 'cancelled' | 'requested' | 'finished' | 'missing';

const OUTCOMES: Record<number, OutcomeResult> = {
  1: 'recorded',
  2: 'cancelled',
  [-1]: 'fenced',
  [-2]: 'missing',
};
const CANCELS: Record<number, CancelResult> = {
  1: 'cancelled',
  2: 'requested',
  0: 'finished',
  [-2]: 'missing',
};

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

export interface BrokerSettings {
  eventsMaxLen: number;
  deadLetterTtl: number;
}

/**
 * Typed callers for the Lua scripts: one method per state transition, each one script and one
 * round trip. Every script gets the prefix's queues set as KEYS[1] so Cluster routes it to the
 * prefix's slot.
 */
export class Broker {
  constructor(
    private readonly redis: Redis,
    readonly keys: KeyBuilder,
    private readonly settings: BrokerSettings,
  ) {
    defineScripts(redis);
  }

  /** Writes all tasks or none; MessageAlreadyExistsError names the first id already taken. */
  async enqueue(tasks: NewTask[]): Promise<void> {
    const reply = (await this.call(
      'taskmillEnqueue',
      tasks.length,
      ...tasks.flatMap(newTaskArguments),
    )) as [number, string?];
    if (reply[0] === -1) throw new MessageAlreadyExistsError(reply[1] as string);
  }

  async claim(queues: string[], count: number, leaseMs: number): Promise<ClaimBatch> {
    const reply = await this.call('taskmillClaim', count, leaseMs, ...queues);
    return parseClaimReply(reply as Parameters<typeof parseClaimReply>[0]);
  }

  complete(id: string, attempt: number, result: string): Promise<OutcomeResult> {
    return this.outcome('taskmillComplete', id, attempt, result);
  }

  retry(id: string, attempt: number, errorJson: string, delayMs: number): Promise<OutcomeResult> {
    return this.outcome('taskmillRetry', id, attempt, errorJson, delayMs);
  }

  fail(id: string, attempt: number, errorJson: string): Promise<OutcomeResult> {
    return this.outcome('taskmillFail', id, attempt, errorJson, this.settings.deadLetterTtl);
  }

  /** Hands a running task back to its queue, keeping its place. */
  release(id: string, attempt: number): Promise<OutcomeResult> {
    return this.outcome('taskmillRelease', id, attempt);
  }

  progress(id: string, attempt: number, progressJson: string): Promise<OutcomeResult> {
    return this.outcome('taskmillProgress', id, attempt, progressJson);
  }

  async cancel(id: string): Promise<CancelResult> {
    const code = await this.call('taskmillCancel', id, this.keys.cancelChannel());
    return CANCELS[code as number];
  }

  /** Extends the leases of running tasks; returns the ids whose lease was lost. */
  async renewLeases(leaseMs: number, runs: { id: string; attempt: number }[]): Promise<string[]> {
    if (runs.length === 0) return [];
    const pairs = runs.flatMap((run) => [run.id, run.attempt]);
    return (await this.callWithoutMaxLen('taskmillRenew', leaseMs, ...pairs)) as string[];
  }

  private async outcome(command: string, ...args: (string | number)[]): Promise<OutcomeResult> {
    return OUTCOMES[(await this.call(command, ...args)) as number];
  }

  private call(command: string, ...args: (string | number)[]): Promise<unknown> {
    return this.callWithoutMaxLen(command, this.settings.eventsMaxLen, ...args);
  }

  private callWithoutMaxLen(command: string, ...args: (string | number)[]): Promise<unknown> {
    const script = (this.redis as unknown as Record<string, ScriptCall>)[command];
    return withConnectionErrors(() =>
      script.call(this.redis, this.keys.queues(), this.keys.base, ...args),
    );
  }
}
