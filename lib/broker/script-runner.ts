import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AnyRedis, isCluster, primaryConnections } from '../redis/any-redis';
import { onSlotPrimary } from '../redis/slot-primary';
import { isTransientRedisError } from '../redis/connection-errors';
import { versionAtLeast } from '../redis/server-check';
import { defineScripts, ScriptLibrary, scriptLibrary } from './script-loader';

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/** Redis Functions (FUNCTION LOAD, FCALL) arrived in 7.0; Valkey has them too. */
const FUNCTIONS_SINCE = '7.0.0';

const logger = new Logger('taskmill:Redis');

/**
 * Runs taskmill's Lua scripts on one connection: as functions of one library on Redis 7+
 * (FCALL), else as scripts (EVALSHA). A script re-creates its ~40 helper closures on every
 * call and leaves them to Lua's garbage collector; a function library creates them once, when
 * it is loaded, which halves the fixed cost of a settle call (measured: 13 → 7 µs of Redis
 * CPU). The library's name carries a digest of its code, so versions of taskmill sharing a
 * server never replace each other's functions. On a cluster the library is loaded on every
 * primary (a function, unlike a script, is not sent along with the call), and again on a
 * node that says it has none: one added or resharded since, or a replica promoted before it
 * had the library.
 */
export class ScriptRunner {
  private library?: ScriptLibrary;
  /** The cluster nodes whose connections have the scripts defined as commands. */
  private readonly scriptsDefined = new WeakSet<Redis>();

  constructor(private readonly redis: AnyRedis) {
    defineScripts(redis);
  }

  /** 'functions' once the library is loaded; 'scripts' before, and where it cannot be. */
  get mode(): 'functions' | 'scripts' {
    return this.library ? 'functions' : 'scripts';
  }

  /**
   * Loads the library when the server has functions. A server or user that refuses it (an ACL
   * without FUNCTION, say) keeps EVALSHA, with a warning; an unreachable one throws, so that
   * the caller tries again.
   */
  async prepare(serverVersion: string | undefined): Promise<void> {
    if (!serverVersion || !versionAtLeast(serverVersion, FUNCTIONS_SINCE)) return;
    const library = scriptLibrary();
    try {
      await this.load(library);
      this.library = library;
    } catch (error) {
      if (isTransientRedisError(error)) throw error;
      logger.warn(
        `could not load taskmill's function library (${(error as Error).message}); ` +
          'running its scripts with EVALSHA instead',
      );
    }
  }

  /**
   * Runs a script. On a cluster, on its slot primary's own connection (onSlotPrimary): the
   * cluster client would follow ASK into a slot being migrated, where a script must not run.
   */
  run(command: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.reloadingLibrary(() =>
      isCluster(this.redis)
        ? onSlotPrimary(this.redis, keys[0], (node) =>
            this.callOn(this.ready(node), command, keys, args),
          )
        : this.callOn(this.redis, command, keys, args),
    );
  }

  /**
   * Runs a script, then `WAIT replicas timeoutMs` right behind it on the same connection, in
   * one pipeline. Returns the script's reply and how many replicas confirmed every write made
   * so far on that connection, this one included. On a cluster both go to the connection of the
   * primary that serves the script's slot, not through the cluster client: it sends a
   * redirected command again on its own, after the WAIT behind it ran on the first node, which
   * would confirm a write on another node than the one that made it.
   */
  runAndWait(
    command: string,
    keys: string[],
    args: (string | number)[],
    wait: { replicas: number; timeoutMs: number },
  ): Promise<{ reply: unknown; confirmed: number }> {
    return this.reloadingLibrary(() =>
      isCluster(this.redis)
        ? onSlotPrimary(this.redis, keys[0], (node) =>
            this.pipelineWithWait(this.ready(node), command, keys, args, wait),
          )
        : this.pipelineWithWait(this.redis, command, keys, args, wait),
    );
  }

  /**
   * Makes `send` once more after loading the library again when a node says it has none:
   * gone from the server (FUNCTION FLUSH, a restart without persistence), or a cluster node
   * that never had it. The call did nothing; on a cluster, loading it on every primary reaches
   * the node that refused.
   */
  private reloadingLibrary<T>(send: () => Promise<T>): Promise<T> {
    return send().catch(async (error: unknown) => {
      if (!this.library || !isFunctionMissing(error)) throw error;
      await this.load(this.library);
      return send();
    });
  }

  private callOn(
    connection: AnyRedis,
    command: string,
    keys: string[],
    args: (string | number)[],
  ): Promise<unknown> {
    const target = this.library?.functions.get(command);
    if (target) return connection.call('FCALL', target, keys.length, ...keys, ...args);
    const script = (connection as unknown as Record<string, ScriptCall>)[command];
    return script.call(connection, ...keys, ...args);
  }

  private async pipelineWithWait(
    connection: AnyRedis,
    command: string,
    keys: string[],
    args: (string | number)[],
    wait: { replicas: number; timeoutMs: number },
  ): Promise<{ reply: unknown; confirmed: number }> {
    const target = this.library?.functions.get(command);
    const pipeline = connection.pipeline();
    if (target) pipeline.call('FCALL', target, keys.length, ...keys, ...args);
    else (pipeline as unknown as Record<string, ScriptCall>)[command](...keys, ...args);
    pipeline.call('WAIT', wait.replicas, wait.timeoutMs);
    const [[error, reply], [waitError, confirmed]] = (await pipeline.exec()) as [
      Error | null,
      unknown,
    ][];
    if (error) throw error;
    if (waitError) throw waitError;
    return { reply, confirmed: Number(confirmed) };
  }

  /** A node's connection, with the scripts defined on it when they run as scripts (EVALSHA). */
  private ready(node: Redis): Redis {
    if (!this.library && !this.scriptsDefined.has(node)) {
      defineScripts(node);
      this.scriptsDefined.add(node);
    }
    return node;
  }

  private async load(library: ScriptLibrary): Promise<void> {
    const primaries = await primaryConnections(this.redis);
    await Promise.all(primaries.map((node) => loadOn(node, library)));
  }
}

function isFunctionMissing(error: unknown): boolean {
  return error instanceof Error && /function not found/i.test(error.message);
}

async function loadOn(node: Redis, library: ScriptLibrary): Promise<void> {
  try {
    await node.call('FUNCTION', 'LOAD', library.code);
  } catch (error) {
    // Loaded already, by this process or another one running the same code.
    if (!(error instanceof Error) || !/already exists/i.test(error.message)) throw error;
  }
}
