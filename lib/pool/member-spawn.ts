import { fork } from 'child_process';
import { dirname, join } from 'path';
import { Worker } from 'worker_threads';
import { POOL_MEMBER_ENV } from '../core/pool-member';
import { PoolMemberEnd, PoolSetupError } from '../errors';
import type { ResolvedPoolOptions } from '../options/pool.options';
import type { PoolMechanism } from '../options/task.options';
import type { FromMember, MemberConfig, ToMember } from './pool-protocol';

/** The script a member runs, and the module it requires first. */
export interface MemberEntry {
  entry: string;
  preload?: string;
}

/** The worker's end of one member: a thread or a child process running member-main. */
export interface MemberHandle {
  /** `thread 3`, `process 1234`: for messages. */
  readonly label: string;
  send(message: ToMember): void;
  onMessage(listener: (message: FromMember) => void): void;
  /** Called once, when the member is gone (stopped, crashed, killed). */
  onEnd(listener: (end: PoolMemberEnd) => void): void;
  /** Stops it now (a thread) or with SIGTERM, then SIGKILL after patienceMs (a process). */
  stop(): Promise<void>;
}

/**
 * What a member runs: the compiled member-main, or its TypeScript source when taskmill itself
 * runs from source (ts-node, Jest); and the loader it requires first: `preload`, or ts-node's
 * transpile-only loader when something it loads is TypeScript. Resolved here, so that a
 * missing package fails the start with a clear error.
 */
export function memberEntry(options: ResolvedPoolOptions): MemberEntry {
  const source = __filename.endsWith('.ts');
  const entry = join(__dirname, 'member', source ? 'member-main.ts' : 'member-main.js');
  const typescript = source || options.module.endsWith('.ts');
  const loader = options.preload ?? (typescript ? 'ts-node/register/transpile-only' : undefined);
  if (loader === undefined) return { entry };
  try {
    return { entry, preload: require.resolve(loader, { paths: [dirname(options.module)] }) };
  } catch {
    throw new PoolSetupError(
      options.preload === undefined
        ? `worker.pool.module "${options.module}" is TypeScript: pool members load it through ` +
            `ts-node, which is not installed. Install it (npm install --save-dev ts-node), set ` +
            `worker.pool.preload to another loader, or point worker.pool.module to the ` +
            `compiled JavaScript file.`
        : `worker.pool.preload "${loader}" cannot be found from "${dirname(options.module)}"; ` +
            `install it or give its absolute path.`,
    );
  }
}

/** Starts one member of `mechanism`. */
export function spawnMember(
  mechanism: PoolMechanism,
  options: ResolvedPoolOptions,
  entry: MemberEntry,
): MemberHandle {
  const config: MemberConfig = { module: options.module, export: options.export, mechanism };
  const env = { ...process.env, [POOL_MEMBER_ENV]: JSON.stringify(config) };
  return mechanism === 'thread'
    ? spawnThread(env, options, entry)
    : spawnProcess(env, options, entry);
}

/** A thread cannot be given -r: it requires the loader, then the entry. */
const THREAD_BOOT = `
const { workerData } = require('worker_threads');
if (workerData.preload) require(workerData.preload);
require(workerData.entry);
`;

function spawnThread(
  env: NodeJS.ProcessEnv,
  options: ResolvedPoolOptions,
  entry: MemberEntry,
): MemberHandle {
  const worker = new Worker(THREAD_BOOT, {
    eval: true,
    workerData: entry,
    env,
    resourceLimits: options.resourceLimits,
  });
  // A member never keeps the application alive by itself: the worker ends it on stop().
  worker.unref();
  let failure: (Error & { code?: string }) | undefined;
  worker.on('error', (error) => (failure = error));
  return {
    label: `thread ${worker.threadId}`,
    send: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onEnd: (listener) =>
      worker.once('exit', (code) => {
        if (failure?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          listener({ kind: 'out-of-memory', detail: failure.message });
        } else if (failure) {
          listener({ kind: 'error', detail: `${failure.name}: ${failure.message}` });
        } else {
          listener({ kind: 'exit', code, signal: null });
        }
      }),
    stop: async () => {
      await worker.terminate();
    },
  };
}

function spawnProcess(
  env: NodeJS.ProcessEnv,
  options: ResolvedPoolOptions,
  entry: MemberEntry,
): MemberHandle {
  const child = fork(entry.entry, [], {
    env,
    execArgv: entry.preload ? ['-r', entry.preload] : [],
  });
  child.unref();
  child.channel?.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('error', () => {
    // A failed spawn ('error', no pid, no 'exit') is reported as an exit; a failed send or
    // kill to a live process ends it, so the member is replaced rather than left half-alive.
    if (child.pid === undefined) child.emit('exit', null, null);
    else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    label: `process ${child.pid}`,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', (message) => listener(message as FromMember)),
    onEnd: (listener) =>
      child.once('exit', (code, signal) => listener({ kind: 'exit', code, signal })),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), options.patienceMs);
      await exited;
      clearTimeout(kill);
    },
  };
}
