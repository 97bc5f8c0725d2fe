import { ChildProcess, execFile, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { Cluster, Redis } from 'ioredis';
import { freePort, waitUntilListening } from '../../lib/testing/redis-process';
import { waitFor } from './redis-server-process';

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
    const { port } = this.runningNode();
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'nodes']);
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

  /**
   * The port of the primary that serves each key's slot (CLUSTER KEYSLOT, CLUSTER SLOTS as one
   * running node sees them), e.g. to kill the primary that holds a given queue shard.
   */
  async primaryPortsOf(keys: string[]): Promise<number[]> {
    return withNode(this.runningNode().port, async (redis) => {
      const ranges = await redis.cluster('SLOTS');
      const slots = await Promise.all(keys.map((key) => redis.cluster('KEYSLOT', key)));
      return slots.map((slot) => {
        // Each range: [first slot, last slot, primary, …replicas], a node being [host, port, …].
        const range = ranges.find(([first, last]) => first <= slot && slot <= last);
        if (!range) throw new Error(`slot ${slot} is not assigned in the test cluster`);
        return Number(range[2][1]);
      });
    });
  }

  private readonly killNow = (): void => {
    for (const node of this.nodes) if (isRunning(node.process)) node.process.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  };

  /** SIGKILL the node on `port`: no shutdown, its replica takes over after cluster-node-timeout. */
  kill(port: number): Promise<void> {
    return killProcess(this.node(port).process);
  }

  /**
   * Resolves once the replica of the killed node on `port` serves its slots. The kill alone
   * says nothing for about a second: until the nodes time the dead one out, they still count
   * its slots as served, so waitUntilHealthy() would pass at once.
   */
  async waitForFailover(port: number, timeoutMs = 20_000): Promise<void> {
    const others = this.nodes.filter((node) => node.port !== port && isRunning(node.process));
    await waitFor(
      `for the slots of ${port} to move to its replica`,
      async () => {
        const owners = await Promise.all(others.map((node) => ownsSlots(node.port, port)));
        return !owners.some(Boolean);
      },
      timeoutMs,
    );
    await this.waitUntilHealthy(timeoutMs);
  }

  /**
   * Starts the killed node on `port` again, on the same ports and directory: its
   * nodes-<port>.conf keeps its identity, so the cluster makes it a replica of the node that
   * took its slots over, which resyncs it in full. Resolves once that primary confirms writes on
   * it and the cluster is healthy: a primary that had lost its replica has one again.
   */
  async restart(port: number, timeoutMs = 20_000): Promise<void> {
    const node = this.node(port);
    if (isRunning(node.process)) throw new Error(`the node on ${port} is still running`);
    node.process = startNode(this.dir, node.port, node.busPort).process;
    await waitUntilListening(node.port, node.process);
    // Until the others tell it who owns its slots now, it still reads as their primary.
    await waitFor(
      `for the node on ${port} to rejoin as a replica`,
      async () => (await primaryPortOfReplica(port)) !== undefined,
      timeoutMs,
    );
    await this.waitUntilHealthy(timeoutMs);
    await this.waitUntilConfirmedBy(port, timeoutMs);
  }

  /**
   * Resolves once the primary of the replica on `port` counts it in WAIT. A replica reads as
   * online before that when its first ACK after a full sync reaches the primary before the
   * primary has seen the transfer end: the primary starts streaming writes to it only at its
   * next ACK, a second later, and meanwhile WAIT counts no replica (seen in 4 restarts of 10
   * on Redis 7.0).
   */
  private async waitUntilConfirmedBy(port: number, timeoutMs: number): Promise<void> {
    const primary = await primaryPortOfReplica(port);
    if (primary === undefined) throw new Error(`the node on ${port} is not a replica`);
    const key = await this.keyServedBy(primary);
    await waitFor(
      `for ${primary} to confirm writes on its replica ${port}`,
      () =>
        withNode(primary, async (redis) => {
          // WAIT counts the replicas that have this connection's writes: it needs one.
          const replies = await redis.pipeline().set(key, '1', 'PX', 1000).wait(1, 100).exec();
          return replies?.[1]?.[1] === 1;
        }),
      timeoutMs,
    );
  }

  /** A key (outside any test's prefix) in a slot that the primary on `port` serves. */
  private async keyServedBy(port: number): Promise<string> {
    // Each primary serves a third of the slots: a few candidates find one.
    for (let n = 0; n < 1000; n++) {
      const key = `taskmill-test-cluster-probe:${n}`;
      const [owner] = await this.primaryPortsOf([key]);
      if (owner === port) return key;
    }
    throw new Error(`the node on ${port} serves no slot`);
  }

  private node(port: number): ClusterNodeProcess {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`port ${port} is not a node of this test cluster`);
    return node;
  }

  private runningNode(): ClusterNodeProcess {
    const node = this.nodes.find((candidate) => isRunning(candidate.process));
    if (!node) throw new Error('no node of the test cluster is running');
    return node;
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

/**
 * cluster_state:ok, every slot assigned; on a replica, the link to its primary up; on a
 * primary, every replica it lists online (a replica's link reads up a little before that).
 */
async function nodeHealthy(port: number): Promise<boolean> {
  try {
    return await withNode(port, async (redis) => {
      const [info, replication] = await Promise.all([
        redis.cluster('INFO') as Promise<string>,
        redis.info('replication'),
      ]);
      const slots = Number(/cluster_slots_ok:(\d+)/.exec(info)?.[1]);
      const replicaSynced =
        !/role:slave/.test(replication) || /master_link_status:up/.test(replication);
      const replicasOnline = [...replication.matchAll(/^slave\d+:.*$/gm)].every(([line]) =>
        line.includes('state=online'),
      );
      return (
        /cluster_state:ok/.test(info) && slots === ALL_SLOTS && replicaSynced && replicasOnline
      );
    });
  } catch {
    return false;
  }
}

/** The port of the primary the node on `port` replicates, if it is a replica. */
async function primaryPortOfReplica(port: number): Promise<number | undefined> {
  const replication = await withNode(port, (redis) => redis.info('replication'));
  if (!/^role:slave/m.test(replication)) return undefined;
  return Number(/^master_port:(\d+)/m.exec(replication)?.[1]);
}

/** Whether the node on `nodePort` counts the node on `port` as the owner of any slot. */
async function ownsSlots(nodePort: number, port: number): Promise<boolean> {
  const nodes = await withNode(nodePort, (redis) => redis.cluster('NODES') as Promise<string>);
  // Each line: <id> <ip:port@bus> <flags> <primary> <ping> <pong> <epoch> <link> <slot>…
  const line = nodes.split('\n').find((candidate) => candidate.includes(`:${port}@`));
  return (line?.split(' ').length ?? 0) > 8;
}

/** Runs `use` on a short-lived connection to the node on `port`, that gives up at once if down. */
async function withNode<T>(port: number, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: null });
  redis.on('error', () => undefined);
  try {
    return await use(redis);
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
