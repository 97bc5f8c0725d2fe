import { Socket } from 'net';
import { Redis } from 'ioredis';

/** Counters read from the benchmark's private Redis and from this process's sockets. */
export interface Counters {
  /** Commands Redis executed (INFO commandstats, all commands). */
  commands: number;
  /** Writes to sockets connected to Redis: one per command or per pipeline = round trips. */
  writes: number;
  /** Redis server CPU time, µs (INFO cpu: user + sys). */
  cpuMicros: number;
}

export interface CommandStat {
  calls: number;
  usec: number;
}

/**
 * The probe's own commands, left out of the counts. Redis 7 counts CONFIG's subcommands apart
 * (`config|resetstat` is ours, the libraries' `config|get` stays in); Redis 6 has only `config`.
 */
const PROBE_COMMANDS = new Set(['info', 'config', 'config|resetstat', 'flushall']);

let writes = 0;
let watchedPort = -1;

/** Counts every socket write towards the benchmark Redis, whichever library makes it. */
export function countSocketWrites(port: number): void {
  watchedPort = port;
  const original = Socket.prototype.write;
  Socket.prototype.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    if (this.remotePort === watchedPort) writes++;
    return original.apply(this, args);
  } as Socket['write'];
}

/** Reads INFO from its own connection (its commands are excluded from the deltas). */
export class RedisProbe {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url);
  }

  async flush(): Promise<void> {
    await this.redis.flushall();
    await this.resetStats();
  }

  async counters(): Promise<Counters> {
    const before = writes;
    const [stats, cpu] = await Promise.all([this.commandStats(), this.info('cpu')]);
    let commands = 0;
    for (const { calls } of stats.values()) commands += calls;
    writes = before; // the probe's own INFO calls do not count
    return {
      commands,
      writes,
      cpuMicros: (Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys)) * 1e6,
    };
  }

  /** Calls and µs per command since the last RESETSTAT, without the probe's own commands. */
  async commandStats(): Promise<Map<string, CommandStat>> {
    const stats = new Map<string, CommandStat>();
    for (const [key, value] of Object.entries(await this.info('commandstats'))) {
      const match = /^calls=(\d+),usec=(\d+)/.exec(value);
      const name = key.slice('cmdstat_'.length);
      if (!key.startsWith('cmdstat_') || PROBE_COMMANDS.has(name) || !match) continue;
      stats.set(name, { calls: Number(match[1]), usec: Number(match[2]) });
    }
    return stats;
  }

  /** Clears INFO commandstats (and the other counters RESETSTAT clears). */
  async resetStats(): Promise<void> {
    await this.redis.config('RESETSTAT');
  }

  async usedMemory(): Promise<number> {
    return Number((await this.info('memory')).used_memory);
  }

  async versions(): Promise<{ redis: string }> {
    return { redis: (await this.info('server')).redis_version };
  }

  close(): void {
    this.redis.disconnect();
  }

  private async info(section: string): Promise<Record<string, string>> {
    const text = await this.redis.info(section);
    const map: Record<string, string> = {};
    for (const line of text.split('\r\n')) {
      const at = line.indexOf(':');
      if (at > 0) map[line.slice(0, at)] = line.slice(at + 1);
    }
    return map;
  }
}

export function delta(after: Counters, before: Counters): Counters {
  return {
    commands: after.commands - before.commands,
    writes: after.writes - before.writes,
    cpuMicros: after.cpuMicros - before.cpuMicros,
  };
}
