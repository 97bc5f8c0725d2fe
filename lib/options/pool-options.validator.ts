import { isAbsolute } from 'path';
import type { ResourceLimits } from 'worker_threads';
import { InvalidOptionsError } from '../errors';
import {
  checkDuration,
  checkInteger,
  checkKnownKeys,
  checkObject,
  describe,
} from '../validation/checks';
import { DEFAULT_POOL_OPTIONS } from './defaults';
import { ResolvedPoolOptions } from './pool.options';

const POOL_KEYS = [
  'module',
  'export',
  'threads',
  'processes',
  'patienceMs',
  'resourceLimits',
  'preload',
];
const LIMIT_KEYS = [
  'maxOldGenerationSizeMb',
  'maxYoungGenerationSizeMb',
  'codeRangeSizeMb',
  'stackSizeMb',
] as const satisfies readonly (keyof ResourceLimits)[];

/** `worker.pool`: undefined when not given (every task then runs on the event loop). */
export function resolvePoolOptions(raw: unknown): ResolvedPoolOptions | undefined {
  if (raw === undefined) return undefined;
  const pool = checkObject(raw, 'worker.pool');
  checkKnownKeys(pool, POOL_KEYS, 'worker.pool');
  const count = (value: unknown, field: string, fallback: number) =>
    value === undefined ? fallback : checkInteger(value, field, { min: 0, max: 256 });
  return {
    module: checkModulePath(pool.module),
    export: checkExportName(pool.export),
    threads: count(pool.threads, 'worker.pool.threads', DEFAULT_POOL_OPTIONS.threads),
    processes: count(pool.processes, 'worker.pool.processes', DEFAULT_POOL_OPTIONS.processes),
    patienceMs:
      pool.patienceMs === undefined
        ? DEFAULT_POOL_OPTIONS.patienceMs
        : checkDuration(pool.patienceMs, 'worker.pool.patienceMs'),
    resourceLimits:
      pool.resourceLimits === undefined ? undefined : checkResourceLimits(pool.resourceLimits),
    preload: pool.preload === undefined ? undefined : checkPreload(pool.preload),
  };
}

/** Members are other threads or processes, with their own cwd-relative resolution: absolute only. */
function checkModulePath(value: unknown): string {
  if (typeof value === 'string' && isAbsolute(value)) return value;
  throw new InvalidOptionsError(
    'worker.pool.module',
    `must be the absolute path of the file that exports your module, e.g. ` +
      `require.resolve('./app.module'), got ${describe(value)}`,
  );
}

function checkExportName(value: unknown): string {
  if (value === undefined) return DEFAULT_POOL_OPTIONS.export;
  if (typeof value === 'string' && /^[A-Za-z_$][\w$]*$/.test(value)) return value;
  throw new InvalidOptionsError(
    'worker.pool.export',
    `must be the name the module file exports your Nest module under, got ${describe(value)}`,
  );
}

function checkResourceLimits(value: unknown): ResourceLimits {
  const limits = checkObject(value, 'worker.pool.resourceLimits');
  checkKnownKeys(limits, LIMIT_KEYS, 'worker.pool.resourceLimits');
  const result: ResourceLimits = {};
  for (const key of LIMIT_KEYS) {
    if (limits[key] === undefined) continue;
    result[key] = checkInteger(limits[key], `worker.pool.resourceLimits.${key}`, {
      min: 1,
      max: 1_048_576,
    });
  }
  return result;
}

function checkPreload(value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value;
  throw new InvalidOptionsError(
    'worker.pool.preload',
    `must be a module name or path to require in each member first, got ${describe(value)}`,
  );
}
