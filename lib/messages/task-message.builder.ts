import { Logger } from '@nestjs/common';
import { groupKey } from './group-key';
import { createHash } from 'crypto';
import { NewTask } from '../broker/new-task';
import { withGatesChecked } from '../broker/gate-layout';
import { IdMaker, TaskRouter } from '../broker/task-router';
import { TaskRegistry } from '../discovery/task.registry';
import { gatesOf } from '../catalog/catalog-entry';
import { TaskCatalog } from '../catalog/task-catalog';
import { InvalidOptionsError, UnknownTaskError } from '../errors';
import { ResolvedModuleOptions } from '../options/module.options';
import { validateTaskOptions } from '../options/task-options.validator';
import {
  DuplicatePolicy,
  EnqueueOptions,
  ResolvedTaskOptions,
  TaskGates,
} from '../options/task.options';
import {
  checkBoolean,
  checkDuration,
  MAX_STORED_MS,
  checkName,
  checkObject,
  checkTaskId,
  describe,
  isName,
} from '../validation/checks';
import { checkDebounce } from './debounce';
import { resolveTaskMethod } from './task-call';
import { TaskCall, TaskRequest } from './task-types';

const ENQUEUE_ONLY_KEYS = [
  'id',
  'delay',
  'runAt',
  'metadata',
  'unique',
  'uniqueFor',
  'onDuplicate',
  'lock',
  'group',
  'debounce',
] as const;
const DUPLICATE_POLICIES: readonly unknown[] = [
  'error',
  'return-existing',
  'return-matching',
] satisfies DuplicatePolicy[];
/** Bounds the memory of typo warnings when names are built at run time. */
const MAX_WARNED_NAMES = 1_000;
const logger = new Logger('taskmill:QueueService');

/**
 * Turns one enqueue call into a validated, serialised NewTask. Everything is checked here,
 * before any byte is written: a bad call changes nothing in Redis.
 */
export class TaskMessageBuilder {
  /** Names already warned about as likely typos (see unknownName). */
  private readonly warned = new Set<string>();

  constructor(
    private readonly options: ResolvedModuleOptions,
    private readonly registry: TaskRegistry,
    private readonly router: TaskRouter,
    private readonly catalog: TaskCatalog,
  ) {}

  /**
   * Reads the catalog entries of the task names (of requests about to be built) that no local
   * `@Task` declares, so that build() routes them as their handler app published; undefined
   * (nothing to wait for) when every name is local, the usual case.
   */
  lookUp(names: readonly unknown[]): Promise<void> | undefined {
    // Only well-formed names: a bad one is refused by build(), Redis up or not.
    const remote = names.filter((name): name is string => isName(name) && !this.registry.has(name));
    return remote.length > 0 ? this.catalog.load(remote) : undefined;
  }

  build(
    name: string,
    args: unknown,
    raw: EnqueueOptions = {},
    declared?: Partial<ResolvedTaskOptions>,
    declaredGates?: TaskGates,
    newId: IdMaker = (queue) => this.router.newId(queue),
  ): NewTask {
    checkName(name, 'task');
    const here = declared ? undefined : this.registry.get(name);
    const published = declared || here ? undefined : this.catalog.get(name);
    const unrouted = declared || here || published ? undefined : this.catalog.failure(name);
    const local = declared ?? here?.options ?? published?.options;
    const gates = declaredGates ?? here?.gates ?? (published && gatesOf(published));
    // Strict mode cannot tell an unknown name from one Redis did not answer for: the write fails.
    if (!local && !unrouted) this.unknownName(name);
    if (!Array.isArray(args)) throw new InvalidOptionsError('args', argsProblem(args));
    const taskOptions: ResolvedTaskOptions = {
      ...this.options.defaults,
      ...local,
      ...validateTaskOptions(raw, '', ENQUEUE_ONLY_KEYS),
    };
    if (published?.lockFromArgs && raw.lock === undefined) {
      throw new InvalidOptionsError(
        'lock',
        `task "${name}" takes its lock from its arguments (${published.source}), which only ` +
          `an app with that @Task can compute: pass { lock } with the enqueue, or enqueue ` +
          `from an app that has the handler's provider`,
      );
    }
    const debounce = checkDebounce(raw);
    const serializer = this.options.serializer;
    const serialisedArgs = this.bounded(serializer.serialize(args, 'args'), 'args');
    const dedupe = this.dedupe(raw);
    const id =
      raw.id !== undefined
        ? checkTaskId(raw.id, 'id')
        : dedupe.uniqueFor !== undefined
          ? uniqueTaskId(name, serialisedArgs)
          : debounce
            ? this.router.debouncedId(taskOptions.queue, name, debounce.id)
            : newId(taskOptions.queue);
    return withGatesChecked(
      {
        id,
        slot: this.router.slotFor(taskOptions.queue, id),
        name,
        ...taskOptions,
        // The id stays taken only while the finished task's record lives: keep it uniqueFor.
        resultTtl: Math.max(taskOptions.resultTtl, dedupe.uniqueFor ?? 0),
        // A burst's task is due delayMs after its first enqueue (the script moves it on).
        ...(debounce ? { delay: debounce.delayMs, runAt: 0, debounce } : this.schedule(raw)),
        ...dedupe,
        lock: lockName(raw.lock, gates?.lock, args),
        concurrency: gates?.concurrency,
        group: groupKey(raw.group, gates?.group, args),
        args: serialisedArgs,
        metadata:
          raw.metadata === undefined
            ? ''
            : this.bounded(
                serializer.serialize(checkObject(raw.metadata, 'metadata'), 'metadata'),
                'metadata',
              ),
        ...(unrouted && { unrouted }),
      },
      this.router,
    );
  }

  /**
   * By class and method: the `@Task` behind the method gives the name and declared options
   * (so that an app without that provider still routes the task as declared).
   */
  buildCall(
    type: unknown,
    method: unknown,
    args: unknown,
    raw?: EnqueueOptions,
    newId?: IdMaker,
  ): NewTask {
    const resolved = resolveTaskMethod(type, method, args);
    const { name, options, gates } = resolved.metadata;
    return this.build(name, resolved.args, raw, options, gates, newId);
  }

  /** One request of a batch, group, chain or chord, by name or by class and method. */
  buildRequest(request: TaskRequest, raw?: EnqueueOptions, newId?: IdMaker): NewTask {
    if (typeof request.task === 'function') {
      return this.buildCall(request.task, (request as TaskCall).method, request.args, raw, newId);
    }
    return this.build(request.task, request.args ?? [], raw, undefined, undefined, newId);
  }

  /** The task with another id (a workflow member's), in the slot that id goes to. */
  withId(task: NewTask, id: string): NewTask {
    return { ...task, id, slot: this.router.slotFor(task.queue, id) };
  }

  /** A new id for a task of `queue`: a workflow's id is its first task's. */
  newId(queue: string): string {
    return this.router.newId(queue);
  }

  /**
   * A name that neither a local @Task nor the task catalog declares: refused in strict mode;
   * otherwise allowed (its handler may live in an app that publishes no catalog, an older
   * one), with a warning, once per name, when it looks like a local name misspelled.
   */
  private unknownName(name: string): void {
    const suggestion = this.registry.suggest(name);
    const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
    if (this.options.strict) {
      throw new UnknownTaskError(
        name,
        `no @Task in this application declares it, no app with its handler published it ` +
          `(the task catalog), and strict mode is on${hint}`,
      );
    }
    if (suggestion === undefined || this.warned.has(name)) return;
    if (this.warned.size < MAX_WARNED_NAMES) this.warned.add(name);
    logger.warn(
      `enqueued "${name}", which no @Task in this application declares${hint} ` +
        `(if its handler lives in another app, ignore this; strict: true refuses such names)`,
    );
  }

  /** Large payloads slow every worker and fill Redis: refuse them above maxPayloadBytes. */
  private bounded(serialised: string, field: string): string {
    const bytes = Buffer.byteLength(serialised);
    if (bytes > this.options.maxPayloadBytes) {
      throw new InvalidOptionsError(
        field,
        `serialises to ${bytes} bytes, above maxPayloadBytes (${this.options.maxPayloadBytes}); ` +
          `store large data elsewhere and pass a reference, or raise maxPayloadBytes`,
      );
    }
    return serialised;
  }

  private dedupe(raw: EnqueueOptions): Pick<NewTask, 'onDuplicate' | 'uniqueFor'> {
    const unique = raw.unique === undefined ? false : checkBoolean(raw.unique, 'unique');
    if (raw.uniqueFor !== undefined && !unique) {
      throw new InvalidOptionsError('uniqueFor', 'only applies with unique: true');
    }
    if (raw.onDuplicate !== undefined && !DUPLICATE_POLICIES.includes(raw.onDuplicate)) {
      throw new InvalidOptionsError(
        'onDuplicate',
        `must be 'error', 'return-existing' or 'return-matching', got ${JSON.stringify(raw.onDuplicate)}`,
      );
    }
    return {
      // A generated id is random: a task that holds it is this very enqueue, written by a first
      // send whose reply was lost and sent again by ioredis after a reconnect. Answer it with
      // the task, as the first send would have.
      onDuplicate:
        raw.onDuplicate ?? (raw.id === undefined && !unique ? 'return-matching' : 'error'),
      uniqueFor: unique
        ? raw.uniqueFor === undefined
          ? 0
          : checkDuration(raw.uniqueFor, 'uniqueFor', { max: MAX_STORED_MS })
        : undefined,
    };
  }

  private schedule(raw: EnqueueOptions): { delay: number; runAt: number } {
    if (raw.delay !== undefined && raw.runAt !== undefined) {
      throw new InvalidOptionsError('runAt', 'give either delay or runAt, not both');
    }
    if (raw.runAt !== undefined) {
      if (!(raw.runAt instanceof Date) || Number.isNaN(raw.runAt.getTime())) {
        throw new InvalidOptionsError('runAt', 'must be a valid Date');
      }
      if (raw.runAt.getTime() > Date.now() + MAX_STORED_MS) {
        throw new InvalidOptionsError(
          'runAt',
          `must be within ${MAX_STORED_MS} ms (about 317 years) from now, got ${raw.runAt.toISOString()}`,
        );
      }
      return { delay: 0, runAt: raw.runAt.getTime() };
    }
    return {
      delay:
        raw.delay === undefined ? 0 : checkDuration(raw.delay, 'delay', { max: MAX_STORED_MS }),
      runAt: 0,
    };
  }
}

/** The id workflow members are built with until their workflow's ids are made (withId). */
export const PLACEHOLDER_ID = 'pending';

/**
 * The id of a unique task: the same task name and arguments always give the same id (a
 * SHA-256 digest, 96 bits like random ids), so a duplicate finds the first one's record.
 */
export function uniqueTaskId(name: string, serialisedArgs: string): string {
  return createHash('sha256').update(`${name}\n${serialisedArgs}`).digest('base64url').slice(0, 16);
}

/** Why `args` is not an array, and how to pass it: an object there is most often the options. */
function argsProblem(args: unknown): string {
  const problem = `must be an array of the handler's arguments, e.g. [to, body], got ${describe(args)}`;
  if (args === null || typeof args !== 'object') return `${problem}; wrap a single value: [value]`;
  return `${problem}; if those are the options, pass the arguments first: enqueue(task, [], options)`;
}

/** The task's lock: the enqueue's own, else the handler's (a name, or computed from the args). */
function lockName(own: unknown, declared: TaskGates['lock'], args: unknown[]): string {
  if (own !== undefined) return checkName(own, 'lock');
  if (declared === undefined) return '';
  if (typeof declared === 'string') return declared;
  return checkName((declared as (...args: unknown[]) => unknown)(...args), 'lock (from @Task)');
}
