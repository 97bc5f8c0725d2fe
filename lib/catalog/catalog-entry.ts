import { TaskDefinition } from '../discovery/task.registry';
import { validateTaskOptions } from '../options/task-options.validator';
import { ResolvedTaskOptions, TaskGates } from '../options/task.options';
import { isPlainObject } from '../validation/checks';

/**
 * What an app that has a task's handler tells producers that do not: where the task goes and
 * how it runs (the handler app's effective options, its defaults applied), and its gates.
 */
export interface CatalogEntry {
  options: ResolvedTaskOptions;
  /** `@Task({ lock })` when it is a fixed name. */
  lock?: string;
  /**
   * `@Task({ lock })` when it is a function of the arguments, which cannot travel: a producer
   * without the handler cannot name the lock, so it must pass `{ lock }` itself.
   */
  lockFromArgs?: true;
  concurrency?: number;
  /** `ClassName.methodName` of the handler, for messages. */
  source: string;
}

/** The entry a handler app publishes for `definition`, with its module `defaults`. */
export function catalogEntryOf(
  definition: TaskDefinition,
  defaults: ResolvedTaskOptions,
): CatalogEntry {
  const { lock, concurrency } = definition.gates ?? {};
  return {
    options: { ...defaults, ...definition.options },
    ...(typeof lock === 'string' ? { lock } : {}),
    ...(typeof lock === 'function' ? { lockFromArgs: true as const } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    source: definition.source,
  };
}

/** The gates a producer applies from an entry (a lock computed from arguments is not one). */
export function gatesOf(entry: CatalogEntry): TaskGates {
  return {
    ...(entry.lock !== undefined ? { lock: entry.lock } : {}),
    ...(entry.concurrency !== undefined ? { concurrency: entry.concurrency } : {}),
  };
}

export function encodeCatalogEntry(entry: CatalogEntry): string {
  return JSON.stringify(entry);
}

/**
 * The entry stored as `stored`, checked like options given in code (another version of
 * taskmill, or someone else, may have written it); undefined when it does not hold one.
 */
export function decodeCatalogEntry(stored: string): CatalogEntry | undefined {
  try {
    const raw: unknown = JSON.parse(stored);
    if (!isPlainObject(raw) || !isPlainObject(raw.options)) return undefined;
    const options = validateTaskOptions(raw.options, 'catalog');
    if (options.queue === undefined) return undefined;
    const entry: CatalogEntry = {
      options: options as ResolvedTaskOptions,
      source: typeof raw.source === 'string' ? raw.source : '?',
    };
    if (typeof raw.lock === 'string') entry.lock = raw.lock;
    if (raw.lockFromArgs === true) entry.lockFromArgs = true;
    if (Number.isSafeInteger(raw.concurrency) && (raw.concurrency as number) > 0) {
      entry.concurrency = raw.concurrency as number;
    }
    return entry;
  } catch {
    return undefined;
  }
}

/**
 * What differs between two decoded entries of one task (the warning when two apps disagree),
 * or undefined when they agree.
 */
export function entryDifference(before: CatalogEntry, after: CatalogEntry): string | undefined {
  const { source: was, ...declaredBefore } = before;
  const { source: is, ...declaredAfter } = after;
  const left = canonical(declaredBefore);
  const right = canonical(declaredAfter);
  return left === right ? undefined : `${is} declares ${right}, ${was} declared ${left}`;
}

/** JSON with keys sorted, so that two equal entries read the same whatever built them. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isPlainObject(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}
