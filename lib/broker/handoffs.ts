import type { KeyBuilder, SlotKeys } from './keys';
import type { ScriptCaller } from './queue-admin-scripts';

/** At most this many outbox entries and staged batches per slot and sweep. */
const SWEEP_LIMIT = 100;
/** How long a commit mark lives when its writer died before releasing every staged part. */
export const COMMIT_MARK_TTL_MS = 7 * 86_400_000;

/** Removes delivered handoffs from a slot's outbox (one ZREM: no script needed). */
export type OutboxAck = (slot: SlotKeys, handoffs: string[]) => Promise<unknown>;
/** Whether a key exists (the commit mark of a batch, read by the sweep). */
export type KeyExists = (key: string) => Promise<boolean>;

/**
 * Carries workflow handoffs across hash slots (the 'queue' layout): a script that ends a task
 * whose chain next step or chord callback is in another slot writes a handoff to its own slot's
 * outbox, atomically with the outcome, and returns it; `deliver` applies it on the target's slot
 * (deliver-1.lua, idempotent), then removes it from the outbox. What a crash leaves in an outbox
 * (or a staged batch half released) is finished by `sweep`, which the lease keeper runs per slot.
 */
export class Handoffs {
  constructor(
    private readonly call: ScriptCaller,
    private readonly keys: KeyBuilder,
    private readonly eventsMaxLen: number,
    private readonly ack: OutboxAck,
    private readonly exists: KeyExists,
  ) {}

  /**
   * Applies handoffs written in `source`'s outbox, then acknowledges them there; those the
   * delivery writes in turn (a chain stopped across a third slot) go on the same way. A failure
   * leaves them in the outbox for the sweep.
   */
  async deliver(source: SlotKeys, handoffs: string[]): Promise<void> {
    if (handoffs.length === 0) return;
    const byTarget = new Map<SlotKeys, string[]>();
    for (const handoff of handoffs) {
      const target = this.targetOf(handoff);
      if (target) byTarget.set(target, [...(byTarget.get(target) ?? []), handoff]);
    }
    await Promise.all(
      [...byTarget].map(async ([target, own]) => {
        const next = (await this.call(
          'taskmillDeliver',
          target,
          true,
          this.eventsMaxLen,
          ...own,
        )) as string[];
        await this.deliver(target, next);
      }),
    );
    await this.ack(source, handoffs);
  }

  /** deliver(), with its failure left to the sweep (the outbox keeps what was not applied). */
  deliverSoon(source: SlotKeys, handoffs: string[]): void {
    if (handoffs.length > 0) this.deliver(source, handoffs).catch(() => undefined);
  }

  /**
   * Sends again the handoffs of `slot`'s outbox older than `ageMs`, and finishes the staged
   * batches whose commit deadline passed `ageMs` ago: released when their coordinator's commit
   * mark exists, deleted when it does not (that commit can no longer be written: its call
   * carried the deadline). Returns how many handoffs and batches it handled.
   */
  async sweep(slot: SlotKeys, ageMs: number): Promise<number> {
    const reply = (await this.call(
      'taskmillSweepWorkflows',
      slot,
      true,
      ageMs,
      SWEEP_LIMIT,
    )) as string[];
    const split = reply.indexOf('|');
    const handoffs = reply.slice(0, split);
    const batches = reply.slice(split + 1);
    await this.deliver(slot, handoffs);
    for (let i = 0; i < batches.length; i += 2) {
      await this.finishBatch(slot, batches[i], batches[i + 1]);
    }
    return handoffs.length + batches.length / 2;
  }

  private async finishBatch(slot: SlotKeys, batchId: string, entry: string): Promise<void> {
    const coordinator = this.keys.slotOfBase(parseField(entry, 'c') ?? '');
    const committed = coordinator !== undefined && (await this.exists(coordinator.batch(batchId)));
    await this.call('taskmillReleaseStaged', slot, true, committed ? 'commit' : 'abort', batchId);
  }

  private targetOf(handoff: string): SlotKeys | undefined {
    return this.keys.slotOfBase(parseField(handoff, 't') ?? '');
  }
}

/** A string field of a JSON object written by a script; undefined when it is not one. */
function parseField(json: string, field: string): string | undefined {
  try {
    const value = (JSON.parse(json) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
