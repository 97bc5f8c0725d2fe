/**
 * The one owner of Redis names: keys, task and lock hash fields. Keys live in hash slots (SlotKeys):
 * the prefix's own `{prefix}`, and in the `'queue'` layout one `{prefix:tag}` per queue shard, so
 * that every script touches a single slot and a Cluster spreads the queues over its nodes.
 *
 * Lua scripts build keys from ids they discover (a popped id, a promoted delayed task), so the
 * loader injects the constants below into every script (FAMILY_*, QUEUE_*, F_*, LOCK_*), and
 * scripts/includes/keys.lua joins them into keys as SlotKeys and KeyBuilder do: the layout is
 * still written down only here.
 */
import { createHash } from 'crypto';
import { DEFAULT_TASK_OPTIONS } from '../options/defaults';
import { ResolvedKeyLayout } from '../options/key-layout';

export const KEY_FAMILIES = {
  /** hash: one task's message, state, history and result (fields: TASK_FIELDS). */
  task: 't',
  /** per-queue structures, followed by the queue name and a QUEUE_KEY_KINDS entry. */
  queue: 'q',
  /** set: every queue that has ever received a task. */
  queues: 'queues',
  /** stream: one entry per queue seen for the first time (lets readers of all queues find it). */
  queueLog: 'queue-log',
  /** pub/sub channel: ids of running tasks whose cancellation was requested. */
  cancel: 'cancel',
  /** pub/sub channel: `<queue>:<ms>` when a queue's earliest delayed task changed. */
  schedule: 'schedule',
  /** list or stream private to one process's blocking reader: an entry interrupts its wait. */
  nudge: 'nudge',
  /**
   * string with a TTL, per events reader (`presence:<reader id>`): rewritten as the reader
   * reads; found gone, it means Redis lost its data (restart without persistence, FLUSHALL).
   */
  presence: 'presence',
  /** string with a TTL, per queue (`sweep-lock:<queue>`): one worker sweeps a queue's leases at a time. */
  sweepLock: 'sweep-lock',
  /** set per gate (`gate:lock:<name>`, `gate:task:<task name>`): ids of the tasks running through it. */
  gate: 'gate',
  /** list per gate (`gate-wait:…`): ids of the tasks parked until the gate has room, in order. */
  gateWait: 'gate-wait',
  /**
   * set per slot: the gates whose wait list has had a task parked since it was last found
   * empty (includes/gates.lua, cancel): where a slot's parked tasks are, found without a scan
   * (shard-holds-tasks). Each entry leaves when its list is emptied.
   */
  gateWaits: 'gate-waits',
  /** hash: schedule id → its definition (JSON: the task to enqueue, cron or every, tz, catchUp). */
  schedules: 'schedules',
  /** sorted set: schedule id → its next tick (epoch ms); firing a tick moves it to the next one. */
  scheduleDue: 'schedule-due',
  /** pub/sub channel: a schedule was added or changed (workers recompute their timer). */
  triggers: 'triggers',
  /** string with a TTL: the token of the worker whose turn it is to run the integrity scan. */
  integrityLock: 'integrity-lock',
  /** string: where the integrity scan's walk over task records goes on (a SCAN cursor). */
  integrityCursor: 'integrity-cursor',
  /** hash with a TTL, per lock name (`lock:<name>`): its holder (fields: LOCK_FIELDS). */
  lock: 'lock',
  /**
   * sorted set: the names of the locks held, score = when each expires unless renewed (epoch
   * ms, server clock); kept by the lock scripts, so that held locks are listed without a scan.
   * A lock that expired without its release leaves its entry until the next acquisition
   * prunes it; readers skip entries whose time has passed.
   */
  locksHeld: 'locks-held',
  /** string: a counter, incremented by every lock acquisition (the fencing numbers). */
  lockFence: 'lock-fence',
  /** pub/sub channel: the name of each lock released, so that waiters try again at once. */
  lockReleased: 'lock-released',
  /**
   * Redis Cluster doorbells (redis/bells.ts). In a queue slot, a string with a TTL set by idle
   * workers of its queues; under the prefix, the pub/sub channel on which a change that wakes
   * workers (a task made ready) publishes the slot's base while the key exists.
   */
  wakeBell: 'wake-bell',
  /** Like wakeBell, for events readers: rung by every status event of the slot. */
  eventsBell: 'events-bell',
  /**
   * set per digest (`handlers:<digest>`), in each slot a worker claims from: the task names a
   * worker has handlers for (handler-names.ts); expires HANDLERS_TTL_MS after its last claim.
   */
  handlers: 'handlers',
  /** hash: queue name → its shard count ('queue' layout), shared by every app (shard-settings.ts). */
  queueShards: 'queue-shards',
  /**
   * hash: task name → what its `@Task` declares (JSON: queue, options, lock and concurrency
   * gates), published by every app that has the handler, read by producers without it
   * (lib/catalog/task-catalog.ts).
   */
  catalog: 'catalog',
  /**
   * string with a TTL, per queue (`consumed:<queue>`): present while a live worker consumes the
   * queue, rewritten by each such worker well before it expires (lib/catalog/queue-consumers.ts).
   * Worker presence, not queue data: obliterating a queue leaves it to expire.
   */
  consumed: 'consumed',
  /**
   * hash with a TTL, per queue (`hosts:<queue>`): task name ('*': any name) → until when a live
   * worker of the queue has its handler (epoch ms, server clock). Rewritten with the consumed
   * mark; fields past their time are pruned then (lib/catalog/queue-consumers.ts).
   */
  hosts: 'hosts',
  /**
   * sorted set per slot: workflow handoffs to a task in another slot (a chain's next step, a
   * chord's callback) written with the outcome that causes them; member = the handoff (JSON,
   * see includes/chains.lua), score = when it was written or last swept (epoch ms). A handoff
   * leaves once its target's slot applied it (lib/broker/handoffs.ts).
   */
  outbox: 'outbox',
  /**
   * sorted set per slot: batches written here staged (invisible) until their coordinator slot
   * commits them (a chain, chord or enqueueMany across slots); member = batch id, score = the
   * deadline of the commit call (server clock, epoch ms).
   */
  staged: 'staged',
  /** hash per slot: batch id → the staged batch (JSON: coordinator slot, task ids and due times). */
  stagedBatch: 'staged-batch',
  /**
   * string with a TTL, per batch (`batch:<batch id>`), in the coordinator's slot: present once a
   * cross-slot batch is committed, until every slot released its staged part.
   */
  batch: 'batch',
} as const;

export const QUEUE_KEY_KINDS = {
  /** zset: the priorities that have waiting tasks (score = member = priority). */
  priorities: 'prios',
  /** list per priority (`ready:<priority>`): waiting task ids, FIFO. */
  ready: 'ready',
  /** zset: tasks due later, score = due time (epoch ms). */
  delayed: 'delayed',
  /** zset: running tasks, score = lease deadline (epoch ms). */
  leases: 'leases',
  /** list: wake-up markers idle workers block on. */
  wake: 'wake',
  /** zset: failed tasks, score = failure time (epoch ms). */
  dead: 'dead',
  /** stream: status events of the queue's tasks, capped with MAXLEN ~. */
  events: 'events',
  /** string, present while the queue is paused: workers claim nothing from it. */
  paused: 'paused',
  /**
   * hash: the queue's flow settings in this slot (flow-settings.ts): `rate` (`max:perMs`, this
   * slot's share), `concurrency` (this slot's share), `rate:<task name>` (`max:perMs`) and
   * `declared` (JSON: what the last app to start declared, and which app).
   */
  settings: 'settings',
  /**
   * zset: task names with tasks held aside (list per name, `held:<name>`: ids, FIFO), score =
   * when they may be claimed again (0: now, by a worker with the handler; else when the name's
   * rate limit frees a start). See includes/limits.lua.
   */
  heldNames: 'held-names',
  /** list per task name (`held:<name>`): tasks a claim set aside, in their order. */
  held: 'held',
  /**
   * list: the rotation of the queue's groups that have ready tasks, served in turn by claims
   * ('' stands for the ungrouped tasks, while some group has work). Each group keeps its own
   * structures under the pseudo-queue `<queue>:g:<group>` (includes/common.lua groupLane):
   * `prios` and `ready:<priority>` as a queue's, `running` (set: its running task ids) and
   * `starts` (its rate limit's log); all vanish when the group is idle.
   */
  groups: 'groups',
  /**
   * zset: groups with ready tasks that wait for their limits, out of the rotation; score = when
   * their rate limit frees a start, or GROUP_WAITS_FOR_A_RUN (until one of their runs ends).
   */
  groupsWaiting: 'groups-waiting',
  /** set, per group lane (`<queue>:g:<group>:running`): the group's running task ids. */
  running: 'running',
  /**
   * zset, sliding log of the starts within the queue's rate window (`start-log`), and per task
   * name with a rate limit (`start-log:<name>`): one member `<count>:<id>:<attempt>` per claim
   * call (score = its time) and the total (member `#`, score = minus the total); see
   * includes/limits.lua. Expires a window after its last start. (Its name changed with its
   * format: the old `starts` logs expire unread.)
   */
  starts: 'start-log',
  /**
   * string with a TTL, set while the queue's limits keep its ready tasks waiting: Cluster
   * workers, which look for work before they sleep, do not count it (see ConsumerLoop).
   */
  limited: 'limited',
  /**
   * string with a TTL, per task name and debounce id (`debounce:<task name>:<debounce id>`;
   * names hold no ':', so the id may): `<first enqueue of the burst, epoch ms>:<task id>` of
   * the burst's pending task (includes/debounce.lua). It expires a little after that task is
   * due, when a new enqueue starts a new burst anyway; obliterating the queue leaves it to
   * expire (it then names a task that is gone, which starts a new burst too).
   */
  debounce: 'debounce',
} as const;

/** Fields of a task hash. Short names: they are stored once per task. */
export const TASK_FIELDS = {
  name: 'n',
  queue: 'q',
  /** serialised arguments */
  args: 'd',
  priority: 'p',
  /** encoded retries, backoff and timeout (run-options.codec.ts); absent: the defaults */
  options: 'o',
  /** absent when it is STORED_DEFAULTS.resultTtl */
  resultTtl: 'x',
  metadata: 'm',
  status: 's',
  /** runs started (absent: 0); also the fencing token of the current run */
  attempt: 'a',
  failures: 'f',
  createdAt: 'c',
  /** stream id of the task's latest status event; its time part is when that happened */
  eventId: 'e',
  result: 'r',
  /** the last run's error, JSON */
  error: 'err',
  progress: 'g',
  /** status changes after SUBMITTED, comma-separated JSON arrays (see status/history.ts) */
  history: 'h',
  /** '1' once cancellation of the running task was requested */
  cancel: 'k',
  /** how often the task was taken back from a worker whose lease expired (absent: 0) */
  reclaims: 'rc',
  /** chains: the id of the step after this one (it waits, parked, until this one ends) */
  next: 'nx',
  /** chains: '1' when the next step runs even if this one fails */
  continueOnFailure: 'cf',
  /**
   * chains: on every step, how many steps its chain has; `queue.findChain(id)` rebuilds the
   * chain from it (step ids are `<chain id>-<n>`), and it expires with each step's record
   */
  chainSteps: 'ns',
  /** chains: a parked step's predecessor; the step is in no queue until that one ends */
  after: 'af',
  /** chains: the previous step's serialised result, handed to this step */
  previous: 'pv',
  /** chains: the previous step's error (JSON) when it failed and the chain went on */
  previousError: 'pe',
  /** chords: on a part, the id of the chord's callback task */
  chord: 'ch',
  /** chords: on a part, its position among the parts (from 0) */
  chordIndex: 'ci',
  /** chords: on the callback, how many parts there are / have not ended yet */
  parts: 'np',
  pending: 'pn',
  /** chords: on the callback, '1': `previous` is the JSON array of the parts' results */
  joined: 'jn',
  /** chords: on the callback, until the join, each part's result in field `j<part index>` */
  partResult: 'j',
  /** gates: the lock name the task must hold to run (absent: none) */
  lock: 'lk',
  /** gates: how many tasks of this name may run at once (absent: no limit) */
  limit: 'lm',
  /** gates: the gate (`lock:<name>` or `task:<name>`) a task waits at, parked in no queue */
  parked: 'pk',
  /** flow control: '1' while the task waits in its name's held list, in no ready list */
  held: 'hd',
  /** flow control: the task's group key (absent: none); its ready lists are the group's */
  group: 'gr',
  /** parent/child: the ids (JSON array) a running task waits for, while it waits */
  waitingFor: 'wf',
  /** parent/child, 'queue' layout: the slot bases (JSON array) of the ids in waitingFor */
  waitingSlots: 'ws',
  /** across slots: the slot base of the next step (F_NEXT) when it is in another slot */
  nextSlot: 'nb',
  /** across slots: the slot base of the chord's callback (F_CHORD) when it is in another slot */
  chordSlot: 'cb',
  /** across slots: the batch id of a task written staged, until its batch is committed */
  staged: 'sg',
  /**
   * across slots: on every step, the slot tag of each step's id (JSON array), when some step's
   * slot differs from the chain id's; findChain builds the step ids from it
   */
  chainTags: 'nt',
  /** across slots: on the callback, the slot tag of each part's id (JSON array), likewise */
  chordTags: 'ct',
  /**
   * when the task last became due after waiting delayed (a delay, runAt or a retry's backoff;
   * epoch ms); absent when it never waited delayed. Claims measure the wait from it.
   */
  dueAt: 'du',
  /**
   * telemetry: the enqueue span's W3C traceparent, written with the task when it was enqueued
   * inside a trace (absent otherwise); each run's span is its child
   */
  trace: 'tp',
} as const;

/**
 * Fields of a lock hash. A claim script may take or test a lock with the same fields
 * (includes/locks.lua), so a task lock and LockService exclude each other.
 */
export const LOCK_FIELDS = {
  /** random token of the acquisition: only its owner may extend or release the lock */
  token: 't',
  /** readable label of the owner (`[owner@]host:pid`), shown by holder() */
  holder: 'h',
  /** the fencing number of the acquisition (from the lockFence counter) */
  fence: 'f',
} as const;

/**
 * Values that are not stored when a task has them (most tasks do): fewer bytes per task.
 * Lua sees them as DEFAULT_* constants.
 */
export const STORED_DEFAULTS = {
  resultTtl: DEFAULT_TASK_OPTIONS.resultTtl,
} as const;

/**
 * A SUCCEEDED event carries the serialised result when it is at most this long, so that a
 * waiting result() needs no further read. Longer results are read from the task hash.
 */
export const INLINE_RESULT_MAX_BYTES = 512;

export type QueueKeyKind = Exclude<
  keyof typeof QUEUE_KEY_KINDS,
  'ready' | 'held' | 'starts' | 'debounce'
>;

/**
 * A task id made by taskmill in the `'queue'` layout: its slot's tag, then 16 random characters;
 * workflow members add `-<n>` (`<chain id>-2`, `<chord id>-callback`).
 */
const TAGGED_ID = /^[A-Za-z0-9_-]{20}(-[A-Za-z0-9]+)?$/;
/** Characters of a queue tag. */
export const TAG_LENGTH = 4;

/**
 * The tag of one shard of a queue: 4 characters of a digest of its name and shard, so that a
 * generated task id can carry it (4 bytes, whatever the queue's name) and be found from the id
 * alone. Two queues may share a tag (a slot): their queue keys still differ by queue name, but
 * task records do not, so such queues share custom ids (docs/reference.md: where a custom id is unique).
 */
export function queueTag(queue: string, shard: number): string {
  return createHash('sha1')
    .update(shard === 0 ? queue : `${queue}:${shard}`)
    .digest('base64url')
    .slice(0, TAG_LENGTH);
}

/** The slot base (`{…}`) a key starts with. */
export function baseOfKey(key: string): string {
  return key.slice(0, key.indexOf('}') + 1);
}

/** The tag a generated id carries, or undefined when the id was not made by taskmill. */
export function tagOfId(id: string): string | undefined {
  return TAGGED_ID.test(id) ? id.slice(0, TAG_LENGTH) : undefined;
}

/**
 * The keys of one hash slot: one shard of one queue in the `'queue'` layout, the whole prefix
 * in the `'prefix'` layout. Every script runs on one slot: it gets `base` as KEYS[1] (which routes
 * the call on Cluster) and ARGV[1], and builds every key it touches from it.
 */
export class SlotKeys {
  constructor(
    /** `{<prefix>}` or `{<prefix>:<tag>}`. */
    readonly base: string,
    /** The queue tag; '' for the prefix's own slot. */
    readonly tag: string,
  ) {}

  /**
   * The script calls' KEYS[1]: a name in the slot, never written, that only routes the call on
   * Cluster. It starts like every key of the slot (`{prefix}:` or `{prefix:tag}:`), so the ACL
   * key patterns that cover the keys cover it too.
   */
  get routingKey(): string {
    return `${this.base}:`;
  }

  task(id: string): string {
    return `${this.base}:${KEY_FAMILIES.task}:${id}`;
  }

  queue(queue: string, kind: QueueKeyKind): string {
    return `${this.base}:${KEY_FAMILIES.queue}:${queue}:${QUEUE_KEY_KINDS[kind]}`;
  }

  ready(queue: string, priority: number): string {
    return `${this.base}:${KEY_FAMILIES.queue}:${queue}:${QUEUE_KEY_KINDS.ready}:${priority}`;
  }

  /** The held list of task name `name` in `queue` (QUEUE_KEY_KINDS.held). */
  held(queue: string, name: string): string {
    return `${this.base}:${KEY_FAMILIES.queue}:${queue}:${QUEUE_KEY_KINDS.held}:${name}`;
  }

  /** The start log of `queue`, or of task name `name` in it (QUEUE_KEY_KINDS.starts). */
  starts(queue: string, name?: string): string {
    const key = `${this.base}:${KEY_FAMILIES.queue}:${queue}:${QUEUE_KEY_KINDS.starts}`;
    return name === undefined ? key : `${key}:${name}`;
  }

  /** The debounce key of task name `name` and debounce id `id` in `queue` (QUEUE_KEY_KINDS.debounce). */
  debounce(queue: string, name: string, id: string): string {
    return `${this.base}:${KEY_FAMILIES.queue}:${queue}:${QUEUE_KEY_KINDS.debounce}:${name}:${id}`;
  }

  /** The handoffs this slot owes to tasks of other slots (KEY_FAMILIES.outbox). */
  outbox(): string {
    return `${this.base}:${KEY_FAMILIES.outbox}`;
  }

  /** The commit mark of a cross-slot batch coordinated by this slot. */
  batch(batchId: string): string {
    return `${this.base}:${KEY_FAMILIES.batch}:${batchId}`;
  }

  /** The lock a worker holds while it sweeps `queue`'s expired leases. */
  sweepLock(queue: string): string {
    return `${this.base}:${KEY_FAMILIES.sweepLock}:${queue}`;
  }

  /** The slot's doorbell key of `kind` (see KEY_FAMILIES.wakeBell). */
  bell(kind: 'wakeBell' | 'eventsBell'): string {
    return `${this.base}:${KEY_FAMILIES[kind]}`;
  }
}

export class KeyBuilder {
  /** The prefix's own slot, `{<prefix>}`: prefix-wide keys (queue registry, schedules, locks). */
  readonly base: string;
  readonly prefixSlot: SlotKeys;
  private readonly slots = new Map<string, SlotKeys>();

  constructor(
    readonly prefix: string,
    readonly layout: ResolvedKeyLayout = 'prefix',
  ) {
    this.base = `{${prefix}}`;
    this.prefixSlot = new SlotKeys(this.base, '');
  }

  /** The slot of shard `shard` of `queue`. */
  slot(queue: string, shard = 0): SlotKeys {
    if (this.layout === 'prefix') return this.prefixSlot;
    return this.slotOfTag(queueTag(queue, shard));
  }

  /** The slot whose tag is `tag` (from a generated id). */
  slotOfTag(tag: string): SlotKeys {
    if (this.layout === 'prefix') return this.prefixSlot;
    let slot = this.slots.get(tag);
    if (!slot) {
      slot = new SlotKeys(`{${this.prefix}:${tag}}`, tag);
      this.slots.set(tag, slot);
    }
    return slot;
  }

  /**
   * The slot whose base is `base` (named in a workflow handoff or a staged batch), or undefined
   * when it is not a slot of this prefix.
   */
  slotOfBase(base: string): SlotKeys | undefined {
    if (base === this.base) return this.prefixSlot;
    const tag = base.slice(this.prefix.length + 2, -1);
    const ours = base.startsWith(`{${this.prefix}:`) && base.endsWith('}');
    return ours && tag.length === TAG_LENGTH && this.layout === 'queue'
      ? this.slotOfTag(tag)
      : undefined;
  }

  queues(): string {
    return `${this.base}:${KEY_FAMILIES.queues}`;
  }

  queueLog(): string {
    return `${this.base}:${KEY_FAMILIES.queueLog}`;
  }

  nudge(readerId: string): string {
    return `${this.base}:${KEY_FAMILIES.nudge}:${readerId}`;
  }

  /** The mark an events reader keeps in Redis to notice that Redis lost its data. */
  presence(readerId: string): string {
    return `${this.base}:${KEY_FAMILIES.presence}:${readerId}`;
  }

  cancelChannel(): string {
    return `${this.base}:${KEY_FAMILIES.cancel}`;
  }

  /** The mark that a live worker consumes `queue` (KEY_FAMILIES.consumed). */
  consumed(queue: string): string {
    return `${this.base}:${KEY_FAMILIES.consumed}:${queue}`;
  }

  /** The task names live workers of `queue` have handlers for (KEY_FAMILIES.hosts). */
  hosts(queue: string): string {
    return `${this.base}:${KEY_FAMILIES.hosts}:${queue}`;
  }

  /** The hash of the lock called `name` (present while someone holds it). */
  lock(name: string): string {
    return `${this.base}:${KEY_FAMILIES.lock}:${name}`;
  }

  /** A family's one key (or channel) under this prefix, e.g. `schedules`. */
  family(family: keyof typeof KEY_FAMILIES): string {
    return `${this.base}:${KEY_FAMILIES[family]}`;
  }

  scheduleChannel(): string {
    return `${this.base}:${KEY_FAMILIES.schedule}`;
  }
}

/** Lua declarations of the layout above, prepended to every script by the loader. */
export function luaKeyLayout(): string {
  const constant = (prefix: string, name: string, value: string) =>
    `local ${prefix}_${name.toUpperCase()} = '${value}'`;
  return [
    ...Object.entries(KEY_FAMILIES).map(([name, value]) => constant('FAMILY', name, value)),
    ...Object.entries(QUEUE_KEY_KINDS).map(([name, value]) => constant('QUEUE', name, value)),
    ...Object.entries(TASK_FIELDS).map(([name, value]) => constant('F', name, value)),
    ...Object.entries(LOCK_FIELDS).map(([name, value]) => constant('LOCK', name, value)),
    `local DEFAULT_RESULT_TTL = ${STORED_DEFAULTS.resultTtl}`,
    `local INLINE_RESULT_MAX = ${INLINE_RESULT_MAX_BYTES}`,
  ].join('\n');
}
