import type { AnyRedis } from '../redis/any-redis';
import {
  ConnectionError,
  InvalidOptionsError,
  ReplicationError,
  UnsupportedRedisError,
} from '../errors';
import { CallLimit, withConnectionErrors } from '../redis/connection-errors';
import { describeRedis } from '../redis/redis-endpoint';
import { checkServer } from '../redis/server-check';
import { ClaimedTask, decodeClaimedTask, RawClaimedTask } from './claimed-task';
import {
  decodeEnqueueCodes,
  decodeWorkflowCode,
  EnqueueCode,
  EnqueueResult,
} from './enqueue-results';
import { KeyBuilder, SlotKeys, TASK_FIELDS } from './keys';
import { ConsumerScripts } from './consumer-scripts';
import { LockScripts } from './lock-scripts';
import { NewTask, newTaskArguments } from './new-task';
import { WAIT_FIELDS, WaitGraph } from './wait-graph';
import { chainBatch, chordBatch, oneSlot } from './workflow-batches';
import { Handoffs } from './handoffs';
import { BatchTask, batchTaskArguments, StagedBatch } from './staged-batch';
import { Outcome, OUTCOME_CODES, outcomeArguments, OutcomeResult } from './outcome';
import { QueueAdminScripts, ScriptCaller } from './queue-admin-scripts';
import { PriorityScripts } from './priority-scripts';
import { SCRIPT_CODES as CODE } from './script-codes';
import { ScriptRunner } from './script-runner';
import { ServerClock } from './server-clock';
import { TaskRouter } from './task-router';
import { scanTaskRecords } from './task-record-scan';
import { QueueRegistration } from './queue-registration';
import { ShardSettings } from './shard-settings';
import { FlowSettings } from './flow-settings';
import type { HandlerNames } from './handler-names';
import type { ResolvedQueueSettings } from '../options/queue-settings';
import type { ReplicaWait } from '../options/module.options';
import { Logger } from '@nestjs/common';

/** Warnings about flow settings replaced by this app's (FlowSettings). */
const flowLogger = new Logger('taskmill:FlowSettings');

export type CancelResult = 'cancelled' | 'requested' | 'finished' | 'missing';

const CANCELS: Record<number, CancelResult> = {
  [CODE.CANCELLED]: 'cancelled',
  [CODE.CANCEL_REQUESTED]: 'requested',
  [CODE.ALREADY_FINISHED]: 'finished',
  [CODE.NO_TASK]: 'missing',
};

/** One run of a task: its id and attempt number (the fencing token), and the slot it is in. */
export interface RunRef {
  id: string;
  attempt: number;
  slot: SlotKeys;
}

export interface BrokerSettings {
  /** Per-queue settings of this app (the shard counts are checked against Redis's). */
  queues?: Record<string, ResolvedQueueSettings>;
  eventsMaxLen: number;
  deadLetterTtl: number;
  /** Calls that may fail fast when Redis does not answer (not claims: see settle). */
  commandTimeoutMs: number;
  /** Run the scripts as a function library on Redis 7+ (see ScriptRunner). */
  redisFunctions: boolean;
  /** Replicas that must confirm the writes of CONFIRMED_WRITES and outcomes (WAIT). */
  waitForReplicas?: Required<ReplicaWait>;
}

/**
 * The scripts whose writes must survive a failover when `waitForReplicas` is set: those that
 * write new tasks, and a workflow handoff applied in its target's slot (acknowledged in its
 * source's outbox only after the target has it). Settle calls that record outcomes wait too
 * (see settle). Claims, renewals and the rest are either taken again by the lease sweep or
 * read-only.
 */
const CONFIRMED_WRITES = new Set([
  'taskmillEnqueue',
  'taskmillEnqueueChain',
  'taskmillEnqueueChord',
  'taskmillReleaseStaged',
  'taskmillDeliver',
]);

export interface ClaimRequest {
  /** Queues of one slot, in the order to claim from. */
  queues: string[];
  count: number;
  leaseMs: number;
  /**
   * The task names this worker has handlers for: a task of another name is held aside for a
   * worker that has it (never failed). Undefined: any name.
   */
  handlers?: HandlerNames;
}

export interface RenewResult {
  lost: RunRef[];
  /** Ids whose cancellation was requested. */
  cancelled: string[];
  /** Ids of lost runs whose record vanished. */
  vanished: string[];
}

export interface SettleResult {
  /** One per outcome, in order. */
  results: OutcomeResult[];
  /** Workflow handoffs the outcomes wrote for tasks of other slots (delivered unless asked not to). */
  handoffs: string[];
  tasks: ClaimedTask[];
  /** ms until the earliest delayed task of the claimed queues is due (server clock). */
  nextDueIn: number | undefined;
  /**
   * Set when the outcomes were written but fewer replicas than `waitForReplicas` confirmed
   * them: write them again (as repeats) until they are. The claimed tasks are this worker's.
   */
  unconfirmed?: ReplicationError;
}

/**
 * Typed callers for the Lua scripts, one per script, each one round trip on one hash slot: the
 * slot's base is KEYS[1] (so that Cluster routes the call) and ARGV[1].
 */
export class Broker {
  /** The queue control and inspection scripts (stats, list, pause, drain, obliterate). */
  readonly admin: QueueAdminScripts;
  /** The named lock scripts (LockService). */
  readonly locks: LockScripts;
  /** Which queues and task names live workers serve (QueueConsumers). */
  readonly consumers: ConsumerScripts;
  private check?: Promise<void>;
  /** Set once the check passed: later calls skip it without a promise or a timer. */
  private checked = false;
  /** Priority management: reprioritize, promote all, remove by priority, peek. */
  readonly priorities: PriorityScripts;
  private readonly scripts: ScriptRunner;
  /** describeRedis() of the connection, named in ConnectionError messages. */
  private readonly endpoint: string;
  private readonly clock = new ServerClock();
  private readonly registration: QueueRegistration;
  private readonly shards: ShardSettings;
  /** Flow settings (rate limits, concurrency) stored per queue slot for the claim script. */
  readonly flow: FlowSettings;
  readonly keys: KeyBuilder;
  /** Workflow handoffs across slots: their delivery and the sweep that finishes them. */
  readonly handoffs: Handoffs;
  private readonly staged: StagedBatch;
  private readonly waitGraph: WaitGraph;

  constructor(
    private readonly redis: AnyRedis,
    readonly router: TaskRouter,
    private readonly settings: BrokerSettings,
  ) {
    this.keys = router.keys;
    this.endpoint = describeRedis(redis);
    this.scripts = new ScriptRunner(redis);
    const call: ScriptCaller = (command, slot, failFast, ...args) =>
      this.call(command, slot, failFast, ...args);
    this.admin = new QueueAdminScripts(call, settings.eventsMaxLen, router, (queue) =>
      this.registration.forget(queue),
    );
    this.locks = new LockScripts(call, this.keys.prefixSlot);
    this.consumers = new ConsumerScripts(call, this.keys.prefixSlot);
    this.priorities = new PriorityScripts(
      (command, slot, ...args) => this.call(command, slot, true, ...args),
      settings.eventsMaxLen,
      router,
    );
    // Raw calls, like the flow settings': they run inside the server check.
    this.shards = new ShardSettings(
      (command, slot, args) =>
        withConnectionErrors(
          () => this.scripts.run(command, [slot.routingKey], [slot.base, ...args]),
          this.limit(true),
        ),
      (key) => withConnectionErrors(() => this.redis.hgetall(key), this.limit(true)),
      router,
      settings.queues ?? {},
    );
    // Raw script calls: the queues' settings are declared inside the server check itself.
    this.flow = new FlowSettings(
      (slot, queue, pairs) =>
        withConnectionErrors(
          () =>
            this.scripts.run(
              'taskmillDeclareSettings',
              [slot.routingKey],
              [slot.base, queue, ...pairs],
            ) as Promise<string[]>,
          this.limit(true),
        ),
      (slot, queue) =>
        withConnectionErrors(
          () => this.redis.hgetall(slot.queue(queue, 'settings')),
          this.limit(true),
        ),
      router,
      (message) => flowLogger.warn(message),
    );
    this.registration = new QueueRegistration((queues) =>
      this.call('taskmillRegisterQueues', this.keys.prefixSlot, true, ...queues),
    );
    this.handoffs = new Handoffs(
      call,
      this.keys,
      settings.eventsMaxLen,
      (slot, handoffs) =>
        withConnectionErrors(() => this.redis.zrem(slot.outbox(), ...handoffs), this.limit(true)),
      async (key) =>
        (await withConnectionErrors(() => this.redis.exists(key), this.limit(true))) === 1,
    );
    this.waitGraph = new WaitGraph(
      this.keys,
      (keys) =>
        withConnectionErrors(
          () => Promise.all(keys.map((key) => this.redis.hmget(key, ...WAIT_FIELDS))),
          this.limit(true),
        ) as Promise<[string | null, string | null][]>,
    );
    this.staged = new StagedBatch(
      (slot, args) => this.callBefore<EnqueueCode>('taskmillEnqueue', slot, args),
      call,
      settings.eventsMaxLen,
      settings.commandTimeoutMs,
    );
  }

  /**
   * Writes new tasks, one script call per slot. `atomic`: all or none; across slots, staged in
   * each slot and committed in the first task's (StagedBatch). Returns, per task, what happened
   * to it; in atomic mode one `taken` id (or one of another definition) leaves every other task
   * `skipped`.
   */
  async enqueue(tasks: NewTask[], atomic: boolean): Promise<EnqueueResult[]> {
    const groups = bySlot(tasks, (task) => task.slot);
    await this.registered(tasks);
    if (atomic && groups.size > 1) {
      return this.staged.enqueue(
        tasks.map((task) => ({ task })),
        await this.batchDeadline(),
      );
    }
    const results: EnqueueResult[] = new Array<EnqueueResult>(tasks.length);
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const codes = await this.callWithDeadline<EnqueueCode>(
          'taskmillEnqueue',
          group.slot,
          (deadline) => [
            this.settings.eventsMaxLen,
            atomic ? '1' : '0',
            deadline,
            '',
            '',
            group.items.length,
            ...group.items.flatMap((task) => batchTaskArguments({ task })),
          ],
        );
        const decoded = decodeEnqueueCodes(codes, this.settings.commandTimeoutMs);
        group.indexes.forEach((index, i) => (results[index] = decoded[i]));
      }),
    );
    return results;
  }

  /**
   * Writes a chain's steps (all or nothing): the first placed, the others parked behind their
   * predecessor. False when a step id is taken. Steps in several slots: a staged batch whose
   * links name each next step's slot (its end reaches it through a handoff).
   */
  async enqueueChain(steps: { task: NewTask; continueOnFailure: boolean }[]): Promise<boolean> {
    const tasks = steps.map((step) => step.task);
    await this.registered(tasks);
    if (!oneSlot(tasks)) return this.enqueueAcross(chainBatch(steps));
    const [code] = await this.callWithDeadline(
      'taskmillEnqueueChain',
      tasks[0].slot,
      (deadline) => [
        this.settings.eventsMaxLen,
        deadline,
        steps.length,
        ...steps.flatMap((step) => [
          ...newTaskArguments(step.task),
          step.continueOnFailure ? '1' : '',
        ]),
      ],
    );
    return decodeWorkflowCode(code, this.settings.commandTimeoutMs) === 'written';
  }

  /**
   * Records that `waiter` waits for `ids`; returns the cycle (waiter first) instead when one of
   * them waits, directly or not, for the waiter. In one slot the script walks the graph
   * atomically; in the 'queue' layout the client walks it (WaitGraph) and the script records.
   */
  async waitFor(
    waiter: RunRef,
    ids: string[],
    queues: (string | undefined)[],
  ): Promise<string[] | undefined> {
    let slots = '';
    if (this.router.spread) {
      const targets = ids.map((id, i) => ({ id, slot: this.router.slotOfTask(id, queues[i]) }));
      const cycle = await this.waitGraph.cycle(waiter.id, targets);
      if (cycle) return cycle;
      slots = JSON.stringify(targets.map((target) => target.slot.base));
    }
    const [recorded, ...cycle] = (await this.call(
      'taskmillWaitFor',
      waiter.slot,
      true,
      waiter.id,
      slots,
      ...ids,
    )) as [number, ...string[]];
    return recorded === CODE.DONE ? undefined : cycle;
  }

  /** The task no longer waits (one field of one key: no script needed). */
  async waitOver(waiter: RunRef): Promise<void> {
    await withConnectionErrors(
      () =>
        this.redis.hdel(
          waiter.slot.task(waiter.id),
          TASK_FIELDS.waitingFor,
          TASK_FIELDS.waitingSlots,
        ),
      this.limit(true),
    );
  }

  /** Writes a chord: its parts, then its callback (parked until every part ended). */
  async enqueueChord(parts: NewTask[], callback: NewTask): Promise<boolean> {
    const tasks = [...parts, callback];
    await this.registered(tasks);
    if (!oneSlot(tasks)) return this.enqueueAcross(chordBatch(parts, callback));
    const [code] = await this.callWithDeadline(
      'taskmillEnqueueChord',
      callback.slot,
      (deadline) => [
        this.settings.eventsMaxLen,
        deadline,
        tasks.length,
        ...tasks.flatMap(newTaskArguments),
      ],
    );
    return decodeWorkflowCode(code, this.settings.commandTimeoutMs) === 'written';
  }

  /** A workflow across slots, as a staged batch; false when an id was taken. */
  private async enqueueAcross(batch: BatchTask[]): Promise<boolean> {
    const results = await this.staged.enqueue(batch, await this.batchDeadline());
    return results.every((result) => result === 'written' || result === 'existing');
  }

  /** The one deadline of every call of a staged batch (see StagedBatch). */
  private async batchDeadline(): Promise<number> {
    if (!this.checked) await this.serverChecked(this.limit(true));
    return this.clock.deadline(this.settings.commandTimeoutMs);
  }

  /**
   * Records outcomes, then claims tasks, in one round trip. A call that claims waits as long
   * as ioredis does: given up on early, it could still run later and lease tasks to no one.
   */
  async settle(
    slot: SlotKeys,
    outcomes: Outcome[],
    claim: ClaimRequest,
    { deliver = true }: { deliver?: boolean } = {},
  ): Promise<SettleResult> {
    const limit = this.limit(claim.count === 0);
    if (!this.checked) await this.serverChecked(limit);
    const first = await this.settleCall(slot, outcomes, claim, false, limit);
    // The slot lacks this worker's handler names (never sent here, or expired): the claim
    // alone goes again, with them (the outcomes were written by the first call).
    const { reply } =
      first.reply[1] === CODE.HANDLERS_UNKNOWN
        ? await this.settleCall(slot, [], claim, true, limit)
        : first;
    const { unconfirmed } = first;
    const handoffs = first.reply[2];
    const [codes] = first.reply;
    const [, nextDueIn, , ...tasks] = reply;
    // Not awaited: the claimed tasks need not wait for it; a delivery that fails is the sweep's.
    if (deliver) this.handoffs.deliverSoon(slot, handoffs);
    return {
      results: codes.map((code) => OUTCOME_CODES[code]),
      handoffs,
      tasks: tasks.map((task) => decodeClaimedTask(task, slot)),
      nextDueIn: nextDueIn === -1 ? undefined : Number(nextDueIn),
      unconfirmed,
    };
  }

  /** One settle script call (see settle); `full`: with the handler names, not just their digest. */
  private async settleCall(
    slot: SlotKeys,
    outcomes: Outcome[],
    claim: ClaimRequest,
    full: boolean,
    limit: CallLimit,
  ): Promise<{ reply: RawSettleReply; unconfirmed?: ReplicationError }> {
    const args = [
      this.settings.eventsMaxLen,
      claim.leaseMs,
      claim.count,
      this.settings.deadLetterTtl,
      outcomes.length,
      ...outcomes.flatMap(outcomeArguments),
      ...handlerArguments(claim, full),
      ...claim.queues,
    ];
    // Outcomes wait for replicas when asked; a claim alone does not (the sweep takes back what
    // a failover lost).
    let unconfirmed: ReplicationError | undefined;
    const reply = await withConnectionErrors(
      () =>
        this.settings.waitForReplicas && outcomes.length > 0
          ? this.runWaiting('taskmillSettle', slot, args).then((waited) => {
              unconfirmed = waited.unconfirmed;
              return waited.reply;
            })
          : this.scripts.run('taskmillSettle', [slot.routingKey], [slot.base, ...args]),
      limit,
    );
    return { reply: reply as RawSettleReply, unconfirmed };
  }

  /**
   * Publishes an UNKNOWN event for a task whose record vanished while it ran, unless it has a
   * record again; true when published.
   */
  async reportVanished(task: RunRef & { name: string; queue: string }): Promise<boolean> {
    const { id, name, queue, attempt } = task;
    const code = await this.call(
      'taskmillReportVanished',
      task.slot,
      true,
      this.settings.eventsMaxLen,
      id,
      name,
      queue,
      attempt,
    );
    return code === CODE.DONE;
  }

  async progress(run: RunRef, progressJson: string): Promise<OutcomeResult> {
    const code = await this.call(
      'taskmillProgress',
      run.slot,
      true,
      this.settings.eventsMaxLen,
      run.id,
      run.attempt,
      progressJson,
    );
    return OUTCOME_CODES[code as number];
  }

  async cancel(slot: SlotKeys, id: string): Promise<CancelResult> {
    const [code, ...handoffs] = (await this.call(
      'taskmillCancel',
      slot,
      true,
      this.settings.eventsMaxLen,
      id,
      this.keys.cancelChannel(),
    )) as [number, ...string[]];
    // Awaited: a chain stopped across slots is stopped when cancel() returns.
    await this.handoffs.deliver(slot, handoffs).catch(() => undefined);
    return CANCELS[code];
  }

  /**
   * Takes back tasks whose lease expired; each queue at most once per `intervalMs` across
   * all workers (queues swept lately by another worker are skipped).
   */
  async reclaimExpired(
    slot: SlotKeys,
    queues: string[],
    maxReclaims: number,
    intervalMs: number,
  ): Promise<{ reclaimed: string[]; failed: string[] }> {
    const reply = (await this.call(
      'taskmillReclaim',
      slot,
      true,
      this.settings.eventsMaxLen,
      maxReclaims,
      intervalMs,
      this.settings.deadLetterTtl,
      ...queues,
    )) as string[];
    const split = reply.indexOf('|');
    const second = reply.indexOf('|', split + 1);
    await this.handoffs.deliver(slot, reply.slice(second + 1)).catch(() => undefined);
    return { reclaimed: reply.slice(0, split), failed: reply.slice(split + 1, second) };
  }

  /**
   * The per-slot sweep of cross-slot workflows: handoffs left in `slot`'s outbox for `ageMs`
   * are delivered again, staged batches whose deadline passed `ageMs` ago finished or removed.
   */
  sweepWorkflows(slot: SlotKeys, ageMs: number): Promise<number> {
    return this.handoffs.sweep(slot, ageMs);
  }

  /**
   * One page of the integrity scan (check-integrity-1.lua), when the scan's turn is ours
   * (`token`) or free; null when another worker holds it. `cursor` is '0' once a full pass over
   * the task records ended. The turn and the walk's position are kept on the prefix's slot; the
   * SCAN runs from here, on every primary in turn, and the checks run on each found record's
   * own slot. The position moves on only after its page was checked: a worker that dies
   * halfway leaves the page to be scanned again, which changes nothing already repaired.
   */
  async scanIntegrity(
    token: string,
    intervalMs: number,
    pageSize: number,
  ): Promise<{ cursor: string; failed: string[] } | null> {
    const turn = (await this.call(
      'taskmillIntegrityTurn',
      this.keys.prefixSlot,
      true,
      token,
      intervalMs,
    )) as string | null;
    if (turn === null) return null;
    const page = await withConnectionErrors(
      () => scanTaskRecords(this.redis, this.keys, turn, pageSize),
      this.limit(true),
    );
    const failed = await Promise.all(
      page.slots.map(({ slot, ids }) =>
        this.call(
          'taskmillCheckIntegrity',
          slot,
          true,
          this.settings.eventsMaxLen,
          this.settings.deadLetterTtl,
          ...ids,
        ),
      ),
    );
    await this.call(
      'taskmillIntegrityTurn',
      this.keys.prefixSlot,
      true,
      token,
      intervalMs,
      page.position,
    );
    return { cursor: page.position, failed: (failed as string[][]).flat() };
  }

  /** Adds or replaces a schedule; false when the same definition was there already. */
  async schedule(id: string, definition: string, firstTick: number): Promise<boolean> {
    return (
      (await this.call(
        'taskmillSchedule',
        this.keys.prefixSlot,
        true,
        id,
        definition,
        firstTick,
      )) === CODE.DONE
    );
  }

  async unschedule(id: string): Promise<boolean> {
    return (await this.call('taskmillUnschedule', this.keys.prefixSlot, true, id)) === 1;
  }

  /**
   * Fires tick `tick` of a schedule: enqueues `task` (its id `<schedule id>@<tick>`; none: the
   * tick is skipped) and moves the schedule to `nextTick`, if no one else did: 'fired' (this
   * call wrote the task) | 'skipped' | 'taken'.
   *
   * In the 'prefix' layout one script does both. In the 'queue' layout the schedule is on the
   * prefix's slot and the task on its queue's, so no script can: the task is written first,
   * then the schedule moved on if it is still at `tick` (compare and set). A worker that dies
   * between the two leaves the schedule at `tick`; the next one to fire it finds the task's id
   * taken and only moves it on. So each tick still enqueues one task, as long as that task's
   * record lives (its resultTtl after it ended): a tick fired again later than that would write
   * it again.
   */
  async fireSchedule(
    id: string,
    tick: number,
    nextTick: number,
    task: NewTask | undefined,
  ): Promise<'fired' | 'skipped' | 'taken'> {
    if (!this.router.spread || !task) {
      const code = await this.moveSchedule(id, tick, nextTick, task ? '1' : '0');
      return code === CODE.FIRED ? 'fired' : code === CODE.MOVED_ON ? 'skipped' : 'taken';
    }
    // Not at this tick any more (fired by another worker, unscheduled or replaced since the
    // caller read it): nothing to write. Only narrows the race, the task id decides.
    const due = await withConnectionErrors(
      () => this.redis.zscore(this.keys.family('scheduleDue'), id),
      this.limit(true),
    );
    if (due === null || Number(due) !== tick) return 'taken';
    const [written] = await this.enqueue([task], false);
    await this.moveSchedule(id, tick, nextTick, '0');
    return written === 'written' ? 'fired' : 'taken';
  }

  /** fire-schedule-1.lua: CODE.FIRED, CODE.MOVED_ON without a task, CODE.NOT_DUE. */
  private async moveSchedule(
    id: string,
    tick: number,
    nextTick: number,
    writeTask: '1' | '0',
  ): Promise<number> {
    return (await this.call(
      'taskmillFireSchedule',
      this.keys.prefixSlot,
      true,
      this.settings.eventsMaxLen,
      id,
      tick,
      nextTick,
      writeTask,
    )) as number;
  }

  /** Requeues failed tasks of `queue` (the given ids, or the oldest `limit`); returns their ids. */
  async requeueDead(
    slot: SlotKeys,
    queue: string,
    ids: string[],
    limit: number,
  ): Promise<string[]> {
    return (await this.call(
      'taskmillRequeueDead',
      slot,
      true,
      this.settings.eventsMaxLen,
      queue,
      limit,
      ...ids,
    )) as string[];
  }

  /** Deletes failed tasks of `queue` (the given ids, or the oldest `limit`); returns how many. */
  async purgeDead(slot: SlotKeys, queue: string, ids: string[], limit: number): Promise<number> {
    return (await this.call('taskmillPurgeDead', slot, true, queue, limit, ...ids)) as number;
  }

  /**
   * Extends the leases of running tasks; returns the runs whose lease was lost, the tasks
   * whose cancellation was requested meanwhile, and the lost ones whose record vanished.
   */
  async renewLeases(leaseMs: number, runs: RunRef[]): Promise<RenewResult> {
    const replies = await Promise.all(
      [...bySlot(runs, (run) => run.slot).values()].map(({ slot, items }) =>
        this.renewSlot(slot, leaseMs, items),
      ),
    );
    return {
      lost: replies.flatMap((reply) => reply.lost),
      cancelled: replies.flatMap((reply) => reply.cancelled),
      vanished: replies.flatMap((reply) => reply.vanished),
    };
  }

  private async renewSlot(slot: SlotKeys, leaseMs: number, runs: RunRef[]): Promise<RenewResult> {
    const pairs = runs.flatMap((run) => [run.id, run.attempt]);
    const reply = (await this.call('taskmillRenew', slot, true, leaseMs, ...pairs)) as string[];
    const split = reply.indexOf('|');
    const second = reply.indexOf('|', split + 1);
    const lost: RunRef[] = [];
    for (let i = 0; i < split; i += 2) {
      lost.push({ id: reply[i], attempt: Number(reply[i + 1]), slot });
    }
    return {
      lost,
      cancelled: reply.slice(split + 1, second),
      vanished: reply.slice(second + 1),
    };
  }

  private async call(
    command: string,
    slot: SlotKeys,
    failFast: boolean,
    ...args: (string | number)[]
  ): Promise<unknown> {
    const limit = this.limit(failFast);
    if (!this.checked) await this.serverChecked(limit);
    return withConnectionErrors(() => this.confirmedRun(command, slot, args), limit);
  }

  /** A script call that fails with ReplicationError when its write was not confirmed. */
  /**
   * Runs a script on its slot; one of CONFIRMED_WRITES, with waitForReplicas set, fails with
   * ReplicationError when too few replicas confirmed it. Without the option, the plain call:
   * no extra promise or object on the hot path.
   */
  private confirmedRun(
    command: string,
    slot: SlotKeys,
    args: (string | number)[],
  ): Promise<unknown> {
    if (!this.settings.waitForReplicas || !CONFIRMED_WRITES.has(command)) {
      return this.scripts.run(command, [slot.routingKey], [slot.base, ...args]);
    }
    return this.runWaiting(command, slot, args).then(({ reply, unconfirmed }) => {
      if (unconfirmed) throw unconfirmed;
      return reply;
    });
  }

  /**
   * Runs a script with WAIT behind it (waitForReplicas is set). Returns the reply, and the
   * error to report when too few replicas confirmed it: not thrown, since a settle call's
   * claimed tasks are this worker's all the same.
   */
  private async runWaiting(
    command: string,
    slot: SlotKeys,
    args: (string | number)[],
  ): Promise<{ reply: unknown; unconfirmed?: ReplicationError }> {
    const wait = this.settings.waitForReplicas as Required<ReplicaWait>;
    const { reply, confirmed } = await this.scripts.runAndWait(
      command,
      [slot.routingKey],
      [slot.base, ...args],
      wait,
    );
    if (confirmed >= wait.replicas) return { reply };
    return {
      reply,
      unconfirmed: new ReplicationError(confirmed, wait.replicas, wait.timeoutMs, this.endpoint),
    };
  }

  /** In the 'queue' layout, the queue registry is another slot: register new queues first. */
  /** Every write of new tasks starts here: refuses unrouted tasks, registers their queues. */
  private registered(tasks: NewTask[]): Promise<void> {
    const unrouted = tasks.find((task) => task.unrouted)?.unrouted;
    if (unrouted) return Promise.reject(unrouted);
    if (!this.router.spread) return Promise.resolve();
    return withConnectionErrors(
      () => this.registration.ensure(distinct(tasks.map((task) => task.queue))),
      this.limit(true),
    );
  }

  private limit(failFast: boolean): CallLimit {
    return {
      endpoint: this.endpoint,
      timeoutMs: failFast ? this.settings.commandTimeoutMs : undefined,
    };
  }

  /**
   * Waits up to `timeoutMs` for the one-time server check (version, eviction policy, function
   * library): at startup, so that a Redis that does not answer fails the deploy, not the first
   * enqueue. `lastError`: why the connection is down, if known, for the message.
   */
  ready(timeoutMs: number, lastError: () => Error | undefined): Promise<void> {
    if (this.checked) return Promise.resolve();
    return this.serverChecked({
      endpoint: this.endpoint,
      timeoutMs,
      timedOut: () => {
        const cause = lastError();
        return new ConnectionError(
          `did not answer within ${timeoutMs} ms (connectTimeoutMs) at startup` +
            (cause ? ` (last error: ${cause.message.replace(/[.\s]+$/, '')})` : ''),
          this.endpoint,
          'Check that Redis is running and that the "connection" option (or REDIS_URL) ' +
            'points at it; connectTimeoutMs: 0 starts the app without waiting for Redis.',
        );
      },
    });
  }

  /**
   * Runs a script that writes new tasks, with the server time after which it must write
   * nothing: when this call's timer has told the caller it failed. Without it, a call held by a
   * frozen server, or sent again by ioredis after a reconnect, would create tasks their caller
   * was told were not written. Returns the reply after the server time it starts with.
   */
  private async callWithDeadline<C = number>(
    command: string,
    slot: SlotKeys,
    args: (deadline: number) => (string | number)[],
  ): Promise<C[]> {
    if (!this.checked) await this.serverChecked(this.limit(true));
    // Before the timer starts (withConnectionErrors): the deadline must not come after it.
    const deadline = this.clock.deadline(this.settings.commandTimeoutMs);
    return this.callBefore<C>(command, slot, args(deadline));
  }

  /**
   * A call whose arguments hold a deadline computed before its timer starts (callWithDeadline,
   * or a staged batch's one deadline for all its calls); the reply without its server time.
   */
  private async callBefore<C = number>(
    command: string,
    slot: SlotKeys,
    args: (string | number)[],
  ): Promise<C[]> {
    const [serverNow, ...codes] = (await withConnectionErrors(
      () => this.confirmedRun(command, slot, args),
      this.limit(true),
    )) as [number, ...C[]];
    this.clock.observe(serverNow);
    return codes;
  }

  /** How scripts run on this connection: 'functions' (Redis 7+) or 'scripts' (EVALSHA). */
  get scriptMode(): 'functions' | 'scripts' {
    return this.scripts.mode;
  }

  /** The one-time server check before the first script; retried when Redis was unreachable. */
  private serverChecked(limit: CallLimit): Promise<void> {
    this.check ??= withConnectionErrors(
      async () => {
        const version = await checkServer(this.redis);
        await this.clock.sync(this.redis);
        if (this.settings.redisFunctions) await this.scripts.prepare(version);
        await this.shards.sync();
        await this.flow.declareQueues(this.settings.queues ?? {});
        this.checked = true;
      },
      { endpoint: this.endpoint },
    ).catch((error: unknown) => {
      // A too old server stays refused; anything else (unreachable, timed out, busy) is
      // checked again on the next call.
      if (!(error instanceof UnsupportedRedisError || error instanceof InvalidOptionsError)) {
        this.check = undefined;
      }
      throw error;
    });
    // The shared check runs to its end; a caller in a hurry stops waiting for it.
    return limit.timeoutMs === undefined
      ? this.check
      : withConnectionErrors(() => this.check as Promise<void>, limit);
  }
}

/** Items grouped by the slot they are in, with each item's index in `items`. */
function bySlot<T>(
  items: T[],
  slotOf: (item: T) => SlotKeys,
): Map<string, { slot: SlotKeys; items: T[]; indexes: number[] }> {
  const groups = new Map<string, { slot: SlotKeys; items: T[]; indexes: number[] }>();
  items.forEach((item, index) => {
    const slot = slotOf(item);
    let group = groups.get(slot.base);
    if (!group) {
      group = { slot, items: [], indexes: [] };
      groups.set(slot.base, group);
    }
    group.items.push(item);
    group.indexes.push(index);
  });
  return groups;
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

/** The settle script's reply: outcome codes, ms to the next due time, handoffs, claimed tasks. */
type RawSettleReply = [number[], number, string[], ...RawClaimedTask[]];

/**
 * The settle script's handler names: '*' (any name), '#' and their digest, or with `full`, '+',
 * the digest, their count and the names (the script stores them under the digest).
 */
function handlerArguments(claim: ClaimRequest, full: boolean): (string | number)[] {
  const { handlers } = claim;
  if (!handlers || claim.queues.length === 0) return ['*'];
  if (!full) return ['#', handlers.digest];
  return ['+', handlers.digest, handlers.names.length, ...handlers.names];
}
