import { KeyBuilder } from '../broker/keys';
import { TaskDefinition } from '../discovery/task.registry';
import { ResolvedTaskOptions } from '../options/task.options';
import { RedisConnections } from '../redis/redis-connections';
import {
  CatalogEntry,
  catalogEntryOf,
  decodeCatalogEntry,
  encodeCatalogEntry,
  entryDifference,
} from './catalog-entry';

/** An entry read longer ago than this is read again (in the background) when next asked for. */
const FRESH_MS = 10_000;
/**
 * A name found nowhere is asked again after this long: not at every enqueue (a producer of
 * names whose handler app publishes nothing would pay a round trip per task), yet soon enough
 * that a handler app started meanwhile is followed almost at once.
 */
const ABSENT_FRESH_MS = 1_000;
/** Bounds what is remembered of names found nowhere, when names are built at run time. */
const MAX_NAMES = 10_000;

/** Two apps declared one task differently: the later publication won. */
export interface CatalogDisagreement {
  task: string;
  difference: string;
}

/**
 * The tasks that apps with handlers published (KEY_FAMILIES.catalog): name → where it goes and
 * how it runs, so that a producer without a task's `@Task` routes it as its handler declared.
 * Entries found are kept (and refreshed when stale); names found nowhere are asked again a
 * second later, so a handler app started later is followed almost at once.
 */
export class TaskCatalog {
  /** What each name asked for read as, entry or none, and when. */
  private readonly known = new Map<string, { entry?: CatalogEntry; readAt: number }>();
  /** Reads under way, by name: concurrent enqueues of one name share one. */
  private readonly reading = new Map<string, Promise<void>>();
  private readonly key: string;

  constructor(
    private readonly connections: RedisConnections,
    keys: KeyBuilder,
  ) {
    this.key = keys.family('catalog');
  }

  /** Names whose last read failed (Redis did not answer), with the error. */
  private readonly unread = new Map<string, Error>();

  /** The entry of `name` as last read (load() reads it). */
  get(name: string): CatalogEntry | undefined {
    return this.known.get(name)?.entry;
  }

  /**
   * Why `name` could not be looked up, when its last read failed and nothing was ever found
   * for it: the task cannot be routed (see NewTask.unrouted).
   */
  failure(name: string): Error | undefined {
    return this.known.get(name)?.entry ? undefined : this.unread.get(name);
  }

  /**
   * Makes get() answer for `names`: waits for names never read (or found nowhere a while ago),
   * refreshes stale entries in the background (a stale entry still routes: tasks rarely move).
   * Never rejects: a name that could not be read has a failure() instead, which fails the
   * write of its task with the ids of the call, as a write that Redis did not answer does.
   */
  async load(names: readonly string[]): Promise<void> {
    const now = Date.now();
    const waitFor: string[] = [];
    const refresh: string[] = [];
    for (const name of names) {
      const known = this.known.get(name);
      if (!known || (!known.entry && now - known.readAt > ABSENT_FRESH_MS)) waitFor.push(name);
      else if (now - known.readAt > FRESH_MS) refresh.push(name);
    }
    if (refresh.length > 0) void this.read(refresh).catch(() => undefined);
    if (waitFor.length > 0) {
      await this.read(waitFor).catch((error: Error) => {
        for (const name of waitFor) this.unread.set(name, error);
      });
    }
  }

  /**
   * Publishes what this app's handlers declare (one HSET, all or nothing) and returns the
   * tasks another app had published differently: the last writer wins.
   */
  async publish(
    definitions: readonly TaskDefinition[],
    defaults: ResolvedTaskOptions,
  ): Promise<CatalogDisagreement[]> {
    if (definitions.length === 0) return [];
    const names = definitions.map((definition) => definition.name);
    const before = await this.connections.guard(() =>
      this.connections.command.hmget(this.key, ...names),
    );
    const fields = definitions.flatMap((definition) => [
      definition.name,
      encodeCatalogEntry(catalogEntryOf(definition, defaults)),
    ]);
    await this.connections.guard(() => this.connections.command.hset(this.key, ...fields));
    return definitions.flatMap((definition, i) => {
      const stored = before[i];
      const previous = stored === null ? undefined : decodeCatalogEntry(stored);
      const published = decodeCatalogEntry(fields[2 * i + 1]);
      const difference = previous && published && entryDifference(previous, published);
      return difference ? [{ task: definition.name, difference }] : [];
    });
  }

  /** Reads `names` (those not being read already) and waits for every one of them. */
  private read(names: readonly string[]): Promise<unknown> {
    const fresh = [...new Set(names)].filter((name) => !this.reading.has(name));
    if (fresh.length > 0) {
      const reading = this.fetch(fresh).finally(() => {
        for (const name of fresh) this.reading.delete(name);
      });
      for (const name of fresh) this.reading.set(name, reading);
    }
    return Promise.all(names.map((name) => this.reading.get(name)));
  }

  private async fetch(names: string[]): Promise<void> {
    const stored = await this.connections.guard(() =>
      this.connections.command.hmget(this.key, ...names),
    );
    const readAt = Date.now();
    for (const name of names) this.unread.delete(name);
    if (this.known.size > MAX_NAMES) {
      for (const [name, known] of this.known) if (!known.entry) this.known.delete(name);
    }
    names.forEach((name, i) => {
      const value = stored[i];
      this.known.set(name, {
        entry: value === null ? undefined : decodeCatalogEntry(value),
        readAt,
      });
    });
  }
}
