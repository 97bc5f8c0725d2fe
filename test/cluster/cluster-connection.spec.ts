import { Injectable } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { ConnectionError, QueueModuleOptions, Task } from '../../lib';
import { KeyBuilder } from '../../lib/broker/keys';
import { scriptLibrary } from '../../lib/broker/script-loader';
import { resolveModuleOptions } from '../../lib/options/module-options.validator';
import { RedisConnections } from '../../lib/redis/redis-connections';
import { freePort } from '../../lib/testing/redis-process';
import { catchInvalidOptions } from '../support/expect-invalid';
import { RecordingLogger } from '../support/recording-logger';
import { keysOf, rawRedis } from '../support/redis';
import {
  clusterConnection,
  clusterKeysOf,
  clusterNodes,
  primariesOf,
  rawCluster,
} from '../support/redis-cluster';
import { createTestApp } from '../support/test-app';

@Injectable()
class Echo {
  @Task('cluster.echo')
  async echo(value: string): Promise<string> {
    return value;
  }
}

/** The function libraries a node holds (FUNCTION LIST). */
async function librariesOn(node: { call(...args: string[]): Promise<unknown> }): Promise<string[]> {
  const libraries = (await node.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'taskmill_*')) as [
    string,
    string,
  ][];
  return libraries.map((library) => library[1]);
}

describe('connecting to a Redis Cluster', () => {
  let admin: Cluster;
  beforeAll(() => (admin = rawCluster()));
  afterAll(() => admin.disconnect());

  it('keeps its data on the cluster, never on another server', async () => {
    const t = await createTestApp([Echo], { connection: clusterConnection() });
    const standalone = rawRedis();
    try {
      await expect((await t.queue.enqueue('cluster.echo', ['a'])).result()).resolves.toBe('a');
      expect(await clusterKeysOf(admin, t.prefix)).not.toHaveLength(0);
      await expect(keysOf(standalone, t.prefix)).resolves.toEqual([]);
    } finally {
      standalone.disconnect();
      await t.close();
    }
  });

  it('loads its function library on every primary, and again after FUNCTION FLUSH', async () => {
    const t = await createTestApp([Echo], {
      connection: clusterConnection(),
      redisFunctions: true,
    });
    try {
      await expect((await t.queue.enqueue('cluster.echo', ['b'])).result()).resolves.toBe('b');
      const primaries = await primariesOf(admin);
      for (const node of primaries) {
        await expect(librariesOn(node)).resolves.toContain(scriptLibrary().name);
      }
      // Every primary forgets it: the next call finds "function not found" and loads it again.
      await Promise.all(primaries.map((node) => node.call('FUNCTION', 'FLUSH')));
      await expect((await t.queue.enqueue('cluster.echo', ['c'])).result()).resolves.toBe('c');
      for (const node of primaries) {
        await expect(librariesOn(node)).resolves.toContain(scriptLibrary().name);
      }
    } finally {
      await t.close();
    }
  });

  it('checks the eviction policy of every primary at startup, naming the node', async () => {
    const primaries = await primariesOf(admin);
    const node = primaries[primaries.length - 1];
    const address = `${node.options.host}:${node.options.port}`;
    await node.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const logger = new RecordingLogger();
    try {
      const t = await createTestApp([Echo], { connection: clusterConnection() }, logger);
      await t.close();
    } finally {
      await node.config('SET', 'maxmemory-policy', 'noeviction');
    }
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings.map((line) => line.message)).toContainEqual(
      expect.stringContaining(`maxmemory-policy is "allkeys-lru" on ${address}`),
    );
  });

  it('uses a Cluster instance passed in, and leaves it open on shutdown', async () => {
    const own = new Cluster(clusterNodes());
    try {
      const t = await createTestApp([Echo], { connection: own });
      await expect((await t.queue.enqueue('cluster.echo', ['d'])).result()).resolves.toBe('d');
      const connections = t.app.get(RedisConnections);
      expect(connections.command).toBe(own);
      // The default layout ('auto') knows the instance for a cluster.
      expect(t.app.get(KeyBuilder).layout).toBe('queue');
      await t.close();
      expect(own.status).toBe('ready');
      await expect(own.ping()).resolves.toBe('PONG');
    } finally {
      own.disconnect();
    }
  });

  it('fails the start within connectTimeoutMs, naming the nodes, when none answers', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const closed = { cluster: [`127.0.0.1:${a}`, { host: '127.0.0.1', port: b }] };
    const started = createTestApp([Echo], { connection: closed, connectTimeoutMs: 300 });
    const error = (await started.catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain(`cluster 127.0.0.1:${a}, 127.0.0.1:${b} (command connection)`);
    expect(error.message).toContain('did not answer within 300 ms (connectTimeoutMs)');
    expect(error.message).toContain('Failed to refresh slots cache');
  });
});

/** Lets a test pass options the types forbid, as a JavaScript caller could. */
function resolveUntyped(connection: unknown) {
  return resolveModuleOptions({ connection } as QueueModuleOptions);
}

describe('connection: { cluster } with bad input', () => {
  it.each([
    ['an empty node list', { cluster: [] }, 'connection.cluster', 'non-empty array'],
    ['a node list that is not an array', { cluster: '127.0.0.1:7000' }, 'connection.cluster', ''],
    [
      'a node without a port',
      { cluster: ['127.0.0.1'] },
      'connection.cluster[0]',
      "'10.0.0.1:6379'",
    ],
    ['a node object without a host', { cluster: [{ port: 7000 }] }, 'connection.cluster[0]', ''],
    [
      'a port out of range',
      { cluster: [{ host: 'a', port: 70000 }] },
      'connection.cluster[0].port',
      '1 to 65535',
    ],
    [
      'a port that is a string',
      { cluster: [{ host: 'a', port: '7000' }] },
      'connection.cluster[0].port',
      '',
    ],
    [
      'options that are not an object',
      { cluster: ['a:1'], options: 5 },
      'connection.options',
      'ClusterOptions',
    ],
    ['an unknown key', { cluster: ['a:1'], nodes: [] }, 'connection.nodes', 'cluster, options'],
  ])('refuses %s, naming the field', (_, connection, field, hint) => {
    const error = catchInvalidOptions(() => resolveUntyped(connection));
    expect(error.field).toBe(field);
    expect(error.message).toContain(hint);
  });

  it("accepts { host, port } and 'host:port' nodes alike, as { host, port }", () => {
    const resolved = resolveUntyped({
      cluster: ['10.0.0.1:7000', { host: '10.0.0.2', port: 7001 }],
    });
    expect(resolved.connection).toEqual({
      cluster: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      options: {},
    });
  });

  it('refuses cluster options that map replies as RESP3', () => {
    const error = catchInvalidOptions(() =>
      resolveUntyped({ cluster: ['a:1'], options: { redisOptions: { replyMapping: 'resp3' } } }),
    );
    expect(error.message).toContain('resp3');
  });
});
