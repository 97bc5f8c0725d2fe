import { ChildProcess, execFile, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { Cluster, Redis } from 'ioredis';
import { freePort, waitUntilListening } from '../../lib/testing/redis-process';

const run = promisify(execFile);

/** Three primaries with one replica each: the smallest cluster `--cluster create` accepts with replicas. */
const NODE_COUNT = 6;
const ALL_SLOTS = 16384;

/** One node of a test cluster: its redis-server process and ports. */
export interface ClusterNodeProcess {
  port: number;
  /** The cluster bus port (`cluster-port`, Redis 7+), chosen free like `port`. */
  busPort: number;
  process: ChildProcess;
}

/**
 * A private Redis Cluster (3 primaries, 3 replicas) on free ports in a temporary directory:
 * started once per Jest run by global setup for test/cluster/, or by a fault test of its own
 * (which may SIGKILL a primary). Never port 6379, never data it did not create.
 */
export class TestCluster {
  private constructor(
    readonly dir: string,
    readonly nodes: ClusterNodeProcess[],
  ) {}

  static async start(): Promise<TestCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'taskmill-cluster-'));
    const ports = await distinctFreePorts(2 * NODE_COUNT);
    const nodes = Array.from({ length: NODE_COUNT }, (_, i) =>
      startNode(dir, ports[2 * i], ports[2 * i + 1]),
    );
    const cluster = new TestCluster(dir, nodes);
    // If this process exits without stop() (a crash, process.exit), take the nodes along.
    process.once('exit', cluster.killNow);
    try {
      await Promise.all(nodes.map((node) => waitUntilListening(node.port, node.process)));
      await run('redis-cli', [
        '--cluster',
        'create',
        ...cluster.addresses,
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ]);
      await cluster.waitUntilHealthy();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** `127.0.0.1:<port>` of every node, as TASKMILL_TEST_CLUSTER and redis-cli want them. */
  get addresses(): string[] {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`);
  }

  /**
   * Resolves once every running node says `cluster_state:ok` with all 16384 slots assigned
   * and every replica has finished its first sync: `--cluster create` returns as soon as the
   * nodes agree on the configuration, before the gossip and replication settle.
   */
  async waitUntilHealthy(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const running = this.nodes.filter((node) => isRunning(node.process));
    for (;;) {
      const states = await Promise.all(running.map((node) => nodeHealthy(node.port)));
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) {
        throw new Error(`the test cluster did not become healthy within ${timeoutMs} ms`);
      }
      // Polling is the only way: a cluster state change has no event a client can wait on.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * The ports of the primaries (CLUSTER NODES as one node sees it), e.g. to SIGKILL one in a
   * failover test.
   */
  async primaryPorts(): Promise<number[]> {
    const any = this.nodes.find((node) => isRunning(node.process));
    if (!any) throw new Error('no node of the test cluster is running');
    const { stdout } = await run('redis-cli', ['-p', String(any.port), 'cluster', 'nodes']);
    // Each line: <id> <ip:port@bus> <flags> …, flags such as `myself,master` or `master,fail`.
    return stdout
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, , flags]) => {
        const set = flags?.split(',') ?? [];
        return set.includes('master') && !set.includes('fail') && !set.includes('fail?');
      })
      .map(([, address]) => Number(/:(\d+)@/.exec(address)?.[1]));
  }

  private readonly killNow = (): void => {
    for (const node of this.nodes) if (isRunning(node.process)) node.process.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  };

  /** SIGKILL the node on `port`: no shutdown, its replica takes over after cluster-node-timeout. */
  kill(port: number): Promise<void> {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`port ${port} is not a node of this test cluster`);
    return killProcess(node.process);
  }

  async stop(): Promise<void> {
    process.removeListener('exit', this.killNow);
    await Promise.all(this.nodes.map((node) => killProcess(node.process)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The shared test cluster's nodes, from TASKMILL_TEST_CLUSTER (set by global setup when the
 * run includes test/cluster/).
 */
export function clusterNodes(): { host: string; port: number }[] {
  const nodes = process.env.TASKMILL_TEST_CLUSTER;
  if (!nodes) {
    throw new Error(
      'TASKMILL_TEST_CLUSTER is not set: global setup starts the test cluster only when the ' +
        'run includes test/cluster/ (run those specs with `npm test` or a pattern matching them)',
    );
  }
  return nodes.split(',').map((address) => {
    const at = address.lastIndexOf(':');
    return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
  });
}

/** A plain ioredis Cluster client on the shared test cluster; close it with `.disconnect()`. */
export function rawCluster(): Cluster {
  return new Cluster(clusterNodes());
}

/** A connection to every primary of `cluster` (once it is ready), for per-node assertions. */
export async function primariesOf(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') await new Promise((resolve) => cluster.once('ready', resolve));
  return cluster.nodes('master');
}

/** The keys of a prefix across the cluster (tests only: KEYS on every primary). */
export async function clusterKeysOf(cluster: Cluster, prefix: string): Promise<string[]> {
  const primaries = await primariesOf(cluster);
  const keys = await Promise.all(
    primaries.map(async (node) => [
      ...(await node.keys(`{${prefix}}:*`)),
      ...(await node.keys(`{${prefix}:*`)),
    ]),
  );
  return keys.flat();
}

function startNode(dir: string, port: number, busPort: number): ClusterNodeProcess {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--cluster-port',
      String(busPort),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, `nodes-${port}.conf`),
      // Failover tests kill a primary: its replica should take over in about a second.
      '--cluster-node-timeout',
      '1000',
      '--dir',
      dir,
      '--dbfilename',
      `dump-${port}.rdb`,
      '--save',
      '',
      '--appendonly',
      'no',
      // A replica syncs over the socket, without writing an RDB file first: faster.
      '--repl-diskless-sync',
      'yes',
      '--repl-diskless-sync-delay',
      '0',
      '--logfile',
      join(dir, `redis-${port}.log`),
    ],
    { stdio: 'ignore' },
  );
  return { port, busPort, process: child };
}

/** cluster_state:ok, every slot assigned, and (on a replica) the link to its primary up. */
async function nodeHealthy(port: number): Promise<boolean> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: null });
  redis.on('error', () => undefined);
  try {
    const [info, replication] = await Promise.all([
      redis.cluster('INFO') as Promise<string>,
      redis.info('replication'),
    ]);
    const slots = Number(/cluster_slots_ok:(\d+)/.exec(info)?.[1]);
    const replicaSynced =
      !/role:slave/.test(replication) || /master_link_status:up/.test(replication);
    return /cluster_state:ok/.test(info) && slots === ALL_SLOTS && replicaSynced;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** `count` different free ports (freePort alone may hand out the same one twice). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function killProcess(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** `connection` for an app on the shared test cluster. */
export function clusterConnection(): { cluster: { host: string; port: number }[] } {
  return { cluster: clusterNodes() };
}
