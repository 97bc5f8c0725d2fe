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

/** Two apps declared one task differently: the later publication won. */
export interface CatalogDisagreement {
  task: string;
  difference: string;
}

/**
 * The tasks that apps with handlers published (KEY_FAMILIES.catalog): name → where it goes and
 * how it runs, so that a producer without a task's `@Task` routes it as its handler declared.
 * Entries found are kept (and refreshed when stale); names found nowhere are asked again on
 * their next enqueue, so a handler published later is picked up at once.
 */
export class TaskCatalog {
  private readonly known = new Map<string, { entry: CatalogEntry; readAt: number }>();
  private readonly key: string;

  constructor(
    private readonly connections: RedisConnections,
    keys: KeyBuilder,
  ) {
    this.key = keys.family('catalog');
  }

  /** The entry of `name` as last read (load() reads it). */
  get(name: string): CatalogEntry | undefined {
    return this.known.get(name)?.entry;
  }

  /** Makes get() answer for `names`: reads those never found, refreshes stale ones. */
  async load(names: readonly string[]): Promise<void> {
    const now = Date.now();
    const unknown = names.filter((name) => !this.known.has(name));
    const stale = names.filter((name) => now - (this.known.get(name)?.readAt ?? now) > FRESH_MS);
    // A stale entry still routes (a task rarely moves queue): refreshing it must not delay.
    if (stale.length > 0) void this.read(stale).catch(() => undefined);
    if (unknown.length > 0) await this.read([...new Set(unknown)]);
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

  private async read(names: string[]): Promise<void> {
    const stored = await this.connections.guard(() =>
      this.connections.command.hmget(this.key, ...names),
    );
    const readAt = Date.now();
    names.forEach((name, i) => {
      const entry = stored[i] === null ? undefined : decodeCatalogEntry(stored[i] as string);
      if (entry) this.known.set(name, { entry, readAt });
      else this.known.delete(name);
    });
  }
}
