import { ChildProcess } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Redis, RedisOptions } from 'ioredis';
import { freePort, waitUntilListening } from '../../lib/testing/redis-process';
import { dataServerArgs, spawnRedisServer, stopChild, waitFor } from './redis-server-process';

/** The master's name the sentinels monitor. */
export const SENTINEL_MASTER_NAME = 'taskmill-test';

const SENTINEL_COUNT = 3;

/** One data server of the setup: master at first, or its replica. */
interface DataServer {
  readonly name: string;
  readonly port: number;
  child: ChildProcess;
}

/**
 * A private Sentinel setup for one spec file: a master, one replica and three sentinels
 * (`redis-server <conf> --sentinel`, quorum 2) on free ports in a temporary directory, with
 * short timeouts (down after 1 s) so that a failover takes seconds. Never port 6379.
 */
export class RedisSentinelSetup {
  private readonly admins = new Map<number, Redis>();

  private constructor(
    readonly dir: string,
    private readonly servers: DataServer[],
    private readonly sentinelPorts: number[],
    private readonly sentinels: ChildProcess[],
  ) {}

  /** Starts everything and resolves once every sentinel sees the replica and the others. */
  static async start(): Promise<RedisSentinelSetup> {
    const dir = mkdtempSync(join(tmpdir(), 'taskmill-sentinel-'));
    const [masterPort, replicaPort] = [await freePort(), await freePort()];
    const master = startDataServer(dir, 'server-a', masterPort, []);
    const replica = startDataServer(dir, 'server-b', replicaPort, [
      '--replicaof',
      '127.0.0.1',
      String(masterPort),
    ]);
    const sentinelPorts: number[] = [];
    const sentinels: ChildProcess[] = [];
    for (let i = 0; i < SENTINEL_COUNT; i++) {
      const port = await freePort();
      sentinelPorts.push(port);
      sentinels.push(startSentinel(dir, i, port, masterPort));
    }
    const setup = new RedisSentinelSetup(dir, [master, replica], sentinelPorts, sentinels);
    try {
      await waitUntilListening(masterPort, master.child);
      await waitUntilListening(replicaPort, replica.child);
      await Promise.all(sentinels.map((child, i) => waitUntilListening(sentinelPorts[i], child)));
      await setup.quicken();
      await setup.settled(masterPort);
    } catch (error) {
      await setup.stop();
      throw error;
    }
    return setup;
  }

  /** ioredis options that reach the current master through the sentinels, as an app gives them. */
  get connection(): RedisOptions {
    return {
      sentinels: this.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
      name: SENTINEL_MASTER_NAME,
    };
  }

  /** The port of the server the sentinels name as master now. */
  async masterPort(): Promise<number> {
    const [, port] = (await this.admin(this.sentinelPorts[0]).call(
      'SENTINEL',
      'GET-MASTER-ADDR-BY-NAME',
      SENTINEL_MASTER_NAME,
    )) as [string, string];
    return Number(port);
  }

  /** A plain client on the current master (closed by stop()). */
  async master(): Promise<Redis> {
    return this.admin(await this.masterPort());
  }

  /**
   * SENTINEL FAILOVER: the replica is promoted without waiting for agreement, the old master
   * becomes its replica. Resolves once every sentinel names the new master and the old one
   * replicates from it; returns the new master's port.
   */
  async failover(): Promise<number> {
    const old = await this.masterPort();
    await this.admin(this.sentinelPorts[0]).call('SENTINEL', 'FAILOVER', SENTINEL_MASTER_NAME);
    const promoted = this.other(old).port;
    await this.settled(promoted);
    return promoted;
  }

  /**
   * SIGKILLs the current master (no shutdown, no last replication) and resolves once the
   * sentinels have agreed on it being down and promoted the replica; returns the new port.
   */
  async killMaster(): Promise<number> {
    const old = await this.masterPort();
    const server = this.servers.find((s) => s.port === old) as DataServer;
    this.dropAdmin(old);
    await stopChild(server.child, 'SIGKILL');
    const promoted = this.other(old).port;
    await waitFor(
      `for the sentinels to promote 127.0.0.1:${promoted}`,
      () => this.allNameMaster(promoted),
      30_000,
    );
    await waitFor('for the promoted replica to take writes', async () =>
      /^role:master/m.test(await this.admin(promoted).info('replication')),
    );
    return promoted;
  }

  /** Kills every process and removes the temporary directory. */
  async stop(): Promise<void> {
    for (const port of [...this.admins.keys()]) this.dropAdmin(port);
    await Promise.all([
      ...this.sentinels.map((child) => stopChild(child)),
      ...this.servers.map((server) => stopChild(server.child)),
    ]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Starts the server killMaster() killed again, on its port and as a replica of the current
   * master (the sentinels would make it one anyway), and resolves once it has caught up.
   */
  async restartKilled(): Promise<void> {
    const master = await this.masterPort();
    const server = this.other(master);
    if (server.child.exitCode === null && server.child.signalCode === null) return;
    server.child = spawnRedisServer(this.dir, server.name, [
      ...dataServerArgs(this.dir, server.name, server.port),
      '--replicaof',
      '127.0.0.1',
      String(master),
    ]);
    await waitUntilListening(server.port, server.child);
    await this.settled(master);
  }

  /**
   * A sentinel looks at the servers with INFO every 10 s, and that is when it turns an old
   * master into a replica after SENTINEL FAILOVER (it keeps taking writes till then): once a
   * second here, and hello messages twice as often, so the tests wait seconds, not tens.
   */
  private async quicken(): Promise<void> {
    for (const port of this.sentinelPorts) {
      await this.admin(port).call('SENTINEL', 'DEBUG', 'info-period', 1000, 'publish-period', 500);
    }
  }

  /** `master` is master, the other server replicates from it, and each sentinel knows it all. */
  private async settled(master: number): Promise<void> {
    const replica = this.other(master).port;
    await waitFor(`for 127.0.0.1:${replica} to replicate from 127.0.0.1:${master}`, async () => {
      const info = await this.admin(replica).info('replication');
      return (
        /^role:slave/m.test(info) &&
        new RegExp(`^master_port:${master}\\b`, 'm').test(info) &&
        /^master_link_status:up/m.test(info)
      );
    });
    await waitFor('for every sentinel to see the master, its replica and the other sentinels', () =>
      this.sentinelsAgree(master, replica),
    );
  }

  private async sentinelsAgree(master: number, replica: number): Promise<boolean> {
    if (!(await this.allNameMaster(master))) return false;
    for (const port of this.sentinelPorts) {
      const sentinel = this.admin(port);
      const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', SENTINEL_MASTER_NAME)) as [
        string[],
      ];
      const seen = replicas.map(fields).find((r) => r.port === String(replica));
      if (!seen || /s_down|disconnected/.test(seen.flags ?? '')) return false;
      const others = (await sentinel.call('SENTINEL', 'SENTINELS', SENTINEL_MASTER_NAME)) as [];
      if (others.length !== SENTINEL_COUNT - 1) return false;
    }
    return true;
  }

  private async allNameMaster(port: number): Promise<boolean> {
    for (const sentinel of this.sentinelPorts) {
      const [, named] = (await this.admin(sentinel).call(
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        SENTINEL_MASTER_NAME,
      )) as [string, string];
      if (Number(named) !== port) return false;
    }
    return true;
  }

  private other(port: number): DataServer {
    return this.servers.find((s) => s.port !== port) as DataServer;
  }

  private admin(port: number): Redis {
    let redis = this.admins.get(port);
    if (!redis) {
      // No retries: a check on a server that is down fails at once and is polled again.
      redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, lazyConnect: true });
      redis.on('error', () => undefined);
      this.admins.set(port, redis);
    }
    return redis;
  }

  private dropAdmin(port: number): void {
    this.admins.get(port)?.disconnect();
    this.admins.delete(port);
  }
}

function startDataServer(dir: string, name: string, port: number, extra: string[]): DataServer {
  const child = spawnRedisServer(dir, name, [...dataServerArgs(dir, name, port), ...extra]);
  return { name, port, child };
}

function startSentinel(dir: string, index: number, port: number, masterPort: number): ChildProcess {
  // A sentinel rewrites its config file (what it learns about the others): one file each.
  const file = join(dir, `sentinel-${index}.conf`);
  writeFileSync(
    file,
    [
      `port ${port}`,
      `dir ${dir}`,
      `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
      `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 3000`,
      `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
      '',
    ].join('\n'),
  );
  return spawnRedisServer(dir, `sentinel-${index}`, [file, '--sentinel']);
}

/** A flat [name, value, …] reply of SENTINEL REPLICAS as an object. */
function fields(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}
