import { PoolMemberCrashError, PoolMemberEnd, PoolSetupError, toErrorDetails } from '../errors';
import type { PoolMechanism } from '../options/task.options';
import type { Serializer } from '../serialization/serializer';
import type { TaskContext } from '../worker/task-context';
import type { MemberHandle } from './member-spawn';
import type { FromMember, RunContextData } from './pool-protocol';
import { rebuildError } from './rebuilt-error';

/** One handler run waiting for, or running in, a member. */
export interface MemberJob {
  name: string;
  args: unknown[];
  context: TaskContext;
  settle(outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): void;
}

/** What a member tells its pool. */
export interface MemberEvents {
  /** Booted, or done with a run: it can take the next. */
  free(member: PoolMember): void;
  /** Gone: replace it. */
  ended(member: PoolMember): void;
}

/**
 * The worker's side of one member: boots it, sends it one run at a time, forwards the run's
 * progress to the run's context (the worker writes it) and turns the member's death into a
 * PoolMemberCrashError for the run it had.
 */
export class PoolMember {
  /** The tasks its module declares, once booted; rejects with PoolSetupError. */
  readonly booted: Promise<string[]>;
  private job?: MemberJob;
  /** The key of the run sent to the member (`id:attempt:n`), which its messages carry. */
  private key?: string;
  private ready = false;
  /** It booted (a member that never did is not replaced at once). */
  bootedOnce = false;
  private gone = false;
  private runs = 0;
  private settleBoot!: (tasks: string[] | Error) => void;

  constructor(
    private readonly handle: MemberHandle,
    private readonly mechanism: PoolMechanism,
    private readonly serializer: Serializer,
    private readonly events: MemberEvents,
  ) {
    this.booted = new Promise<string[]>((resolve, reject) => {
      this.settleBoot = (tasks) => (tasks instanceof Error ? reject(tasks) : resolve(tasks));
    });
    // Observed by the pool too; never an unhandled rejection here.
    this.booted.catch(() => undefined);
    handle.onMessage((message) => this.onMessage(message));
    handle.onEnd((end) => this.onEnd(end));
  }

  get label(): string {
    return this.handle.label;
  }

  /** Booted, alive and not running anything. */
  get free(): boolean {
    return this.ready && !this.gone && !this.job;
  }

  /** Whether it runs `job`. */
  isRunning(job: MemberJob): boolean {
    return this.job === job;
  }

  /** Sends `job` to this free member. */
  execute(job: MemberJob): void {
    this.job = job;
    const key = `${job.context.id}:${job.context.attempt}:${++this.runs}`;
    this.key = key;
    try {
      const args = this.serializer.serialize(job.args, 'args');
      this.handle.send({ type: 'run', key, name: job.name, args, context: this.contextData(job) });
    } catch (error) {
      this.finish({ ok: false, error });
    }
  }

  /** Ends the member (a run in it is given up); resolves once it is gone. */
  stop(): Promise<void> {
    this.ready = false;
    return this.handle.stop();
  }

  private contextData({ context }: MemberJob): RunContextData {
    const data: RunContextData = {
      id: context.id,
      name: context.name,
      queue: context.queue,
      attempt: context.attempt,
    };
    if (context.metadata !== undefined) {
      data.metadata = this.serializer.serialize(context.metadata, 'metadata');
    }
    if (context.previous !== undefined) {
      data.previous = this.serializer.serialize(context.previous, 'previous');
    }
    if (context.previousError !== undefined) data.previousError = context.previousError;
    return data;
  }

  private onMessage(message: FromMember): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.bootedOnce = true;
        this.settleBoot(message.tasks);
        return this.events.free(this);
      case 'boot-failed':
        this.settleBoot(new PoolSetupError(message.message));
        void this.handle.stop();
        return;
      case 'progress':
        return this.forwardProgress(message);
      case 'done':
        if (message.key !== this.key) return;
        return this.finish(
          message.ok
            ? { ok: true, value: message.result === '' ? undefined : this.decode(message.result) }
            : { ok: false, error: rebuildError(message.error, message.final) },
        );
    }
  }

  /** The worker writes progress as for any run (fenced by attempt, best-effort unless confirmed). */
  private forwardProgress(message: Extract<FromMember, { type: 'progress' }>): void {
    const context = message.key === this.key ? this.job?.context : undefined;
    const reply = (error?: unknown) =>
      this.handle.send({
        type: 'reply',
        seq: message.seq,
        ...(error === undefined ? {} : { error: toErrorDetails(error) }),
      });
    if (!context) return reply();
    let value: unknown;
    try {
      value = this.serializer.deserialize(message.value);
    } catch (error) {
      return reply(error);
    }
    // Copied: an object from a thread's message is made in Node's own realm, which the
    // options check (a plain object of this realm) would refuse under a sandbox such as Jest's.
    const options = message.options === undefined ? undefined : { ...message.options };
    context.progress(value, options).then(() => reply(), reply);
  }

  private decode(result: string): unknown {
    return this.serializer.deserialize(result);
  }

  private finish(outcome: Parameters<MemberJob['settle']>[0]): void {
    const job = this.job;
    this.job = undefined;
    job?.settle(outcome);
    if (!this.gone) this.events.free(this);
  }

  private onEnd(end: PoolMemberEnd): void {
    this.gone = true;
    // No-op once booted: only a member that died while booting fails its boot here.
    this.settleBoot(
      new PoolSetupError(
        `a pool ${this.mechanism} (${this.label}) ended while booting (${JSON.stringify(end)}); ` +
          `check that worker.pool.module boots on its own.`,
      ),
    );
    const job = this.job;
    this.job = undefined;
    job?.settle({ ok: false, error: new PoolMemberCrashError(job.name, this.mechanism, end) });
    this.events.ended(this);
  }
}
