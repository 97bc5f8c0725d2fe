import {
  ErrorDetails,
  NonRetryableError,
  SerializationError,
  TaskmillError,
  toErrorDetails,
} from '../../errors';
import { runInTaskContext, TaskContext } from '../../worker/task-context';
import type { FromMember, ToMember } from '../pool-protocol';
import { rebuildError } from '../rebuilt-error';
import type { MemberApp } from './member-app';
import type { ParentChannel } from './parent-channel';

type RunMessage = Extract<ToMember, { type: 'run' }>;

/**
 * Runs the handlers the worker sends, one at a time, inside a task context whose progress
 * goes back to the worker (which writes it). Claims, leases and outcomes stay with the worker.
 */
export class MemberRunner {
  private seq = 0;
  private readonly replies = new Map<number, (error?: ErrorDetails) => void>();
  /** The run in progress: its signal aborts on SIGTERM (a process member being stopped). */
  private current?: { controller: AbortController; done: Promise<void> };
  /** False once terminating: the worker has given this run up already. */
  private reportRun = true;

  constructor(
    private readonly app: MemberApp,
    private readonly channel: ParentChannel,
  ) {}

  /** The names of the handlers this member can run. */
  tasks(): string[] {
    return this.app.registry.all().map((task) => task.name);
  }

  on(message: ToMember): void {
    if (message.type === 'reply') {
      this.replies.get(message.seq)?.(message.error);
      this.replies.delete(message.seq);
      return;
    }
    const controller = new AbortController();
    const current = { controller, done: Promise.resolve() };
    this.current = current;
    current.done = this.run(message, controller.signal).finally(() => {
      if (this.current === current) this.current = undefined;
    });
  }

  /**
   * SIGTERM (the worker stops this process member): aborts the running handler's signal and
   * exits once it returned, without reporting it; the worker sends SIGKILL after patienceMs.
   */
  async terminate(reason: Error): Promise<void> {
    const current = this.current;
    if (current) {
      this.reportRun = false;
      current.controller.abort(reason);
      await current.done;
    }
    await this.app.context.close().catch(() => undefined);
  }

  private async run(message: RunMessage, signal: AbortSignal): Promise<void> {
    const { key, name } = message;
    const handler = this.app.registry.get(name);
    const { serializer } = this.app;
    let reply: FromMember;
    try {
      if (!handler) throw new NonRetryableError(`no @Task "${name}" in this pool member's module`);
      const args = serializer.deserialize(message.args) as unknown[];
      const context = this.contextOf(message, signal);
      const value = await runInTaskContext({ taskContext: () => context }, () =>
        handler.handler(...args),
      );
      reply = { type: 'done', key, ok: true, result: this.resultOf(value) };
    } catch (error) {
      const final = error instanceof NonRetryableError || error instanceof ResultNotSerializable;
      const details = toErrorDetails(error instanceof ResultNotSerializable ? error.cause : error);
      reply = { type: 'done', key, ok: false, error: details, final };
    }
    if (this.reportRun) this.channel.send(reply);
  }

  private resultOf(value: unknown): string {
    if (value === undefined) return '';
    try {
      return this.app.serializer.serialize(value, 'result');
    } catch (error) {
      // As on the event loop: a result that cannot be stored fails the task for good.
      if (error instanceof SerializationError) throw new ResultNotSerializable(error);
      throw error;
    }
  }

  private contextOf(message: RunMessage, signal: AbortSignal): TaskContext {
    const { context: data, key } = message;
    const { serializer } = this.app;
    return {
      id: data.id,
      name: data.name,
      queue: data.queue,
      attempt: data.attempt,
      signal,
      metadata:
        data.metadata === undefined
          ? undefined
          : (serializer.deserialize(data.metadata) as Record<string, unknown>),
      previous: data.previous === undefined ? undefined : serializer.deserialize(data.previous),
      previousError: data.previousError,
      progress: (value, options) => {
        let json: string;
        try {
          json = serializer.serialize(value, 'progress');
        } catch (error) {
          return Promise.reject(error);
        }
        return this.request(key, json, options);
      },
      enqueueChild: () => Promise.reject(notInPool('enqueueChild')),
      waitFor: () => Promise.reject(notInPool('waitFor')),
    };
  }

  /** Progress goes to the worker, which writes it; resolves (or rejects) as it says. */
  private request(key: string, value: string, options?: { confirm?: boolean }): Promise<void> {
    const seq = ++this.seq;
    return new Promise<void>((resolve, reject) => {
      this.replies.set(seq, (error) => (error ? reject(rebuildError(error, false)) : resolve()));
      this.channel.send({ type: 'progress', key, seq, value, options });
    });
  }
}

/** A result the serializer refused: reported as its SerializationError, and final. */
class ResultNotSerializable extends Error {
  constructor(override readonly cause: SerializationError) {
    super(cause.message);
  }
}

function notInPool(method: string): TaskmillError {
  return new TaskmillError(
    `taskContext().${method}() is not available to a handler that runs in a pool member ` +
      `(mechanism 'thread' or 'process'); call it from an 'async' task.`,
  );
}
