import type { ResourceLimits } from 'worker_threads';

/**
 * The worker's pool for `@Task({ mechanism: 'thread' | 'process' })` handlers: each member
 * boots `module` as a Nest application context once and runs one handler at a time, while the
 * worker's event loop keeps claiming and renewing leases. See docs/worker-pools.md.
 *
 * @example
 * worker: { pool: { module: require.resolve('./app.module'), export: 'AppModule', threads: 4 } }
 */
export interface PoolOptions {
  /**
   * Absolute path of the file that exports the module the members boot (usually your app
   * module): `require.resolve('./app.module')`. A `.ts` path is loaded through ts-node.
   */
  module: string;
  /** The name `module` exports the Nest module under. Default `'AppModule'`. */
  export?: string;
  /** Worker threads for `mechanism: 'thread'` tasks (started only when one exists). Default `1`. */
  threads?: number;
  /** Child processes for `mechanism: 'process'` tasks (started only when one exists). Default `1`. */
  processes?: number;
  /**
   * A process member stopped (timeout, cancel, shutdown) gets SIGTERM, then SIGKILL after this
   * many ms. Default `1 000`.
   */
  patienceMs?: number;
  /** Node's memory limits of each thread member; one that runs out fails its run, not the worker. */
  resourceLimits?: ResourceLimits;
  /**
   * A module each member requires before anything else, resolved from `module`'s folder: a
   * TypeScript loader of your choice (`'@swc-node/register'`, say). Default: none for
   * JavaScript; ts-node's transpile-only loader when `module` is a `.ts` file.
   */
  preload?: string;
}

/** PoolOptions after validation, with every default applied. */
export interface ResolvedPoolOptions {
  module: string;
  export: string;
  threads: number;
  processes: number;
  patienceMs: number;
  resourceLimits: ResourceLimits | undefined;
  preload: string | undefined;
}
