import { createHash, randomFillSync } from 'crypto';
import { NewTask } from '../broker/new-task';
import { TaskRegistry } from '../discovery/task.registry';
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
} from '../validation/checks';

const ENQUEUE_ONLY_KEYS = [
  'id',
  'delay',
  'runAt',
  'metadata',
  'unique',
  'uniqueFor',
  'onDuplicate',
  'lock',
] as const;
const DUPLICATE_POLICIES: readonly unknown[] = [
  'error',
  'return-existing',
  'return-matching',
] satisfies DuplicatePolicy[];

/**
 * Turns one enqueue call into a validated, serialised NewTask. Everything is checked here,
 * before any byte is written: a bad call changes nothing in Redis.
 */
export class TaskMessageBuilder {
  constructor(
    private readonly options: ResolvedModuleOptions,
    private readonly registry: TaskRegistry,
  ) {}

  build(
    name: string,
    args: unknown,
    raw: EnqueueOptions = {},
    declared?: Partial<ResolvedTaskOptions>,
    declaredGates?: TaskGates,
  ): NewTask {
    checkName(name, 'task');
    const local = declared ?? this.registry.get(name)?.options;
    const gates = declaredGates ?? this.registry.get(name)?.gates;
    if (!local && this.options.strict) {
      throw new UnknownTaskError(
        name,
        'no @Task in this application declares it and strict mode is on',
      );
    }
    if (!Array.isArray(args)) {
      throw new InvalidOptionsError(
        'args',
        "must be an array of the handler's arguments, e.g. [to, body]",
      );
    }
    const taskOptions: ResolvedTaskOptions = {
      ...this.options.defaults,
      ...local,
      ...validateTaskOptions(raw, '', ENQUEUE_ONLY_KEYS),
    };
    const serializer = this.options.serializer;
    const serialisedArgs = this.bounded(serializer.serialize(args, 'args'), 'args');
    const dedupe = this.dedupe(raw);
    return {
      id:
        raw.id !== undefined
          ? checkTaskId(raw.id, 'id')
          : dedupe.uniqueFor !== undefined
            ? uniqueTaskId(name, serialisedArgs)
            : newTaskId(),
      name,
      ...taskOptions,
      // The id stays taken only while the finished task's record lives: keep it uniqueFor.
      resultTtl: Math.max(taskOptions.resultTtl, dedupe.uniqueFor ?? 0),
      ...this.schedule(raw),
      ...dedupe,
      lock: lockName(raw.lock, gates?.lock, args),
      concurrency: gates?.concurrency,
      args: serialisedArgs,
      metadata:
        raw.metadata === undefined
          ? ''
          : this.bounded(
              serializer.serialize(checkObject(raw.metadata, 'metadata'), 'metadata'),
              'metadata',
            ),
    };
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

/**
 * 96 random bits as 16 URL-safe characters: as unique as a UUID for this purpose, and 20 bytes
 * shorter in every key, list entry and event that carries it.
 */
export function newTaskId(): string {
  if (idBytesUsed === ID_POOL_BYTES) {
    randomFillSync(idPool);
    idBytesUsed = 0;
  }
  idBytesUsed += ID_BYTES;
  return idPool.toString('base64url', idBytesUsed - ID_BYTES, idBytesUsed);
}

const ID_BYTES = 12;
/** Random bytes drawn 256 ids at a time: one call to the CSPRNG per id cost ~1 µs each. */
const ID_POOL_BYTES = ID_BYTES * 256;
const idPool = Buffer.alloc(ID_POOL_BYTES);
let idBytesUsed = ID_POOL_BYTES;

/**
 * The id of a unique task: the same task name and arguments always give the same id (a
 * SHA-256 digest, 96 bits like random ids), so a duplicate finds the first one's record.
 */
export function uniqueTaskId(name: string, serialisedArgs: string): string {
  return createHash('sha256').update(`${name}\n${serialisedArgs}`).digest('base64url').slice(0, 16);
}

/** The task's lock: the enqueue's own, else the handler's (a name, or computed from the args). */
function lockName(own: unknown, declared: TaskGates['lock'], args: unknown[]): string {
  if (own !== undefined) return checkName(own, 'lock');
  if (declared === undefined) return '';
  if (typeof declared === 'string') return declared;
  return checkName((declared as (...args: unknown[]) => unknown)(...args), 'lock (from @Task)');
}
