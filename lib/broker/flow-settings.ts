import { hostname } from 'os';
import type { GroupLimits, ResolvedQueueSettings } from '../options/queue-settings';
import type { RateLimit } from '../options/rate-limit';
import type { SlotKeys } from './keys';
import type { TaskRouter } from './task-router';

/** Runs the declare-settings script on a slot: field/value pairs in, previous values out. */
export type SettingsWriter = (slot: SlotKeys, queue: string, pairs: string[]) => Promise<string[]>;

/** A task name's declared rate limit, from the `@Task` of a worker that has its handler. */
export interface TaskFlow {
  name: string;
  queue: string;
  rateLimit?: RateLimit;
}

/** A queue's flow settings as stored in Redis (`queue.settings(queue)`). */
export interface StoredQueueSettings {
  queue: string;
  /** The queue's shards: a limit is shared out among them equally, rounded down. */
  shards: number;
  rateLimit?: RateLimit;
  concurrency?: number;
  /** Limits for each group key of the queue. */
  groups?: GroupLimits;
  /** `@Task({ rateLimit })` of the queue's task names, by name. */
  taskRateLimits: Record<string, RateLimit>;
  /** The app (`host:pid`) that declared the queue's settings last, if one did. */
  declaredBy?: string;
}

/** What one app declared for a queue or a task name, as stored under `declared[:<name>]`. */
interface Declared {
  rateLimit?: RateLimit;
  concurrency?: number;
  groups?: GroupLimits;
  by: string;
}

/**
 * Stores the flow settings (queues.<q>.rateLimit / concurrency, @Task({ rateLimit })) in each
 * slot of their queue at startup, where the claim script reads them (includes/limits.lua), so
 * that every worker applies the same ones. An app that configures a queue declares all of its
 * settings; the last app to start wins, and warns, naming both values, when it replaced
 * different ones. With several shards each slot enforces an equal share of a limit.
 */
export class FlowSettings {
  private readonly by = `${hostname()}:${process.pid}`;

  constructor(
    private readonly write: SettingsWriter,
    private readonly read: (slot: SlotKeys, queue: string) => Promise<Record<string, string>>,
    private readonly router: TaskRouter,
    private readonly warn: (message: string) => void,
  ) {}

  /** Declares the settings of each queue this app configures. */
  async declareQueues(queues: Record<string, ResolvedQueueSettings>): Promise<void> {
    for (const [queue, { rateLimit, concurrency, groups }] of Object.entries(queues)) {
      const shards = this.router.shards(queue);
      const declared: Declared = { rateLimit, concurrency, groups, by: this.by };
      const limited = describe(declared) !== 'no limits';
      // No limits: no fields, so a queue without any keeps no settings key.
      const previous = await this.writeAll(queue, [
        ['declared', limited ? JSON.stringify(declared) : ''],
        ['rate', rateLimit ? rule(rateLimit, shards) : ''],
        ['concurrency', concurrency ? String(Math.floor(concurrency / shards)) : ''],
        ['group-rate', groups?.rateLimit ? rule(groups.rateLimit, 1) : ''],
        ['group-concurrency', groups?.concurrency ? String(groups.concurrency) : ''],
      ]);
      this.warnIfReplaced(`queue "${queue}"`, previous[0], declared);
    }
  }

  /** Declares the rate limit (or none) of each task name this worker has a handler for. */
  async declareTasks(tasks: TaskFlow[]): Promise<void> {
    const byQueue = new Map<string, TaskFlow[]>();
    for (const task of tasks) byQueue.set(task.queue, [...(byQueue.get(task.queue) ?? []), task]);
    for (const [queue, own] of byQueue) {
      const shards = this.router.shards(queue);
      const pairs = own.flatMap(({ name, rateLimit }): [string, string][] => [
        [`rate:${name}`, rateLimit ? rule(rateLimit, shards) : ''],
        [`declared:${name}`, rateLimit ? JSON.stringify({ rateLimit, by: this.by }) : ''],
      ]);
      const previous = await this.writeAll(queue, pairs);
      own.forEach(({ name, rateLimit }, i) =>
        this.warnIfReplaced(`task "${name}"`, previous[2 * i + 1], { rateLimit, by: this.by }),
      );
    }
  }

  /** The settings stored for `queue` (read from its first shard; every shard has the same). */
  async settings(queue: string): Promise<StoredQueueSettings> {
    const fields = await this.read(this.router.slotsOf(queue)[0], queue);
    const stored: StoredQueueSettings = {
      queue,
      shards: this.router.shards(queue),
      taskRateLimits: {},
    };
    const declared = parse(fields.declared);
    if (declared) {
      if (declared.rateLimit) stored.rateLimit = declared.rateLimit;
      if (declared.concurrency) stored.concurrency = declared.concurrency;
      if (declared.groups && describeGroups(declared.groups)) stored.groups = declared.groups;
      stored.declaredBy = declared.by;
    }
    for (const [field, value] of Object.entries(fields)) {
      const rateLimit = field.startsWith('declared:') ? parse(value)?.rateLimit : undefined;
      if (rateLimit) stored.taskRateLimits[field.slice('declared:'.length)] = rateLimit;
    }
    return stored;
  }

  /** Writes `pairs` to every slot of `queue`; returns the previous values of its first slot. */
  private async writeAll(queue: string, pairs: [string, string][]): Promise<string[]> {
    const slots = this.router.slotsOf(queue);
    const flat = pairs.flat();
    const replies = await Promise.all(slots.map((slot) => this.write(slot, queue, flat)));
    return replies[0];
  }

  private warnIfReplaced(what: string, previous: string, now: Declared): void {
    const before = parse(previous);
    if (!before) return;
    const had = describe(before);
    const has = describe(now);
    if (had === has) return;
    this.warn(
      `${what}: this app (${this.by}) declares ${has}, replacing ${had} declared by ` +
        `${before.by}; the last app to start wins, so every worker now applies ${has}. ` +
        `Give every app the same settings (docs/flow-control.md).`,
    );
  }
}

/** The claim script's rule of a slot: its share of `max`, and the window. */
function rule({ max, perMs }: RateLimit, shards: number): string {
  return `${Math.floor(max / shards)}:${perMs}`;
}

function parse(value: string | undefined): Declared | undefined {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as Declared;
  } catch {
    return undefined;
  }
}

function describe(declared: Declared | undefined): string {
  const parts: string[] = [];
  if (declared?.rateLimit) {
    parts.push(`rateLimit { max: ${declared.rateLimit.max}, perMs: ${declared.rateLimit.perMs} }`);
  }
  if (declared?.concurrency) parts.push(`concurrency ${declared.concurrency}`);
  const groups = declared?.groups && describeGroups(declared.groups);
  if (groups) parts.push(`groups { ${groups} }`);
  return parts.length > 0 ? parts.join(', ') : 'no limits';
}

function describeGroups({ rateLimit, concurrency }: GroupLimits): string {
  const parts: string[] = [];
  if (rateLimit) parts.push(`rateLimit { max: ${rateLimit.max}, perMs: ${rateLimit.perMs} }`);
  if (concurrency) parts.push(`concurrency ${concurrency}`);
  return parts.join(', ');
}
