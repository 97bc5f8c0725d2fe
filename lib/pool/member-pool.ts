import type { PoolMechanism } from '../options/task.options';
import type { Serializer } from '../serialization/serializer';
import type { TaskContext } from '../worker/task-context';
import type { MemberHandle } from './member-spawn';
import { MemberJob, PoolMember } from './pool-member';

/** How long a member that failed to boot as a replacement waits before the next try. */
const REBOOT_DELAY_MS = 1000;

/**
 * The members of one mechanism: each runs one handler at a time; runs wait here (their lease
 * renewed by the worker meanwhile) until a member is free. A run whose signal aborts (timeout,
 * cancel, lost lease, shutdown) leaves the queue, or stops the member running it; a member
 * that is gone is replaced by a fresh one.
 */
export class MemberPool {
  private readonly members = new Set<PoolMember>();
  private readonly waiting: MemberJob[] = [];
  private closed = false;
  private readonly reboots = new Set<NodeJS.Timeout>();

  constructor(
    private readonly mechanism: PoolMechanism,
    private readonly size: number,
    private readonly spawn: () => MemberHandle,
    private readonly serializer: Serializer,
    private readonly report: (error: Error) => void,
  ) {}

  /** Boots every member; resolves with the tasks their module declares. */
  async start(): Promise<Set<string>> {
    for (let i = 0; i < this.size; i++) this.add();
    try {
      const booted = await Promise.all([...this.members].map((member) => member.booted));
      return new Set(booted[0]);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  run(name: string, args: unknown[], context: TaskContext): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const { signal } = context;
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => this.abort(job, signal.reason);
      const job: MemberJob = {
        name,
        args,
        context,
        settle: (outcome) => {
          signal.removeEventListener('abort', onAbort);
          if (outcome.ok) resolve(outcome.value);
          else reject(outcome.error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(job);
      this.pump();
    });
  }

  /** Ends every member; runs still waiting fail (the worker has handed them back already). */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.reboots) clearTimeout(timer);
    await Promise.all([...this.members].map((member) => member.stop()));
  }

  /** The run stops for real: out of the queue, or its member ends (and is replaced). */
  private abort(job: MemberJob, reason: unknown): void {
    const queued = this.waiting.indexOf(job);
    if (queued >= 0) {
      this.waiting.splice(queued, 1);
      return job.settle({ ok: false, error: reason });
    }
    for (const member of this.members) {
      if (member.isRunning(job)) void member.stop();
    }
  }

  private pump(): void {
    for (const member of this.members) {
      const job = member.free ? this.waiting.shift() : undefined;
      if (job) member.execute(job);
    }
  }

  private add(): void {
    const member = new PoolMember(this.spawn(), this.mechanism, this.serializer, {
      free: () => this.pump(),
      ended: (gone) => this.replace(gone),
    });
    this.members.add(member);
  }

  private replace(gone: PoolMember): void {
    this.members.delete(gone);
    if (this.closed) return;
    if (gone.bootedOnce) return this.add();
    // A replacement that did not boot (the module booted at start, but not now: a file
    // changed on disk, memory): reported, and tried again later rather than in a tight loop.
    gone.booted.catch((error: Error) => this.report(error));
    const timer = setTimeout(() => {
      this.reboots.delete(timer);
      if (!this.closed) this.add();
    }, REBOOT_DELAY_MS);
    timer.unref();
    this.reboots.add(timer);
  }
}
