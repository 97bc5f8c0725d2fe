import { Redis } from 'ioredis';
import { LockService, RedisPermissionError } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { ACL_PASSWORD, documentedRules, withoutFunctions } from '../support/acl-lines';
import { uniquePrefix } from '../support/redis';
import { clusterNodes } from '../support/redis-cluster';
import { createTestApp } from '../support/test-app';
import { ACL_QUEUE, AclTasks, runWholeFlow } from '../topologies/acl-flow';

/** ACL LOG entries of one node that concern `user` (the log is the node's, shared by every test). */
async function refusalsOf(node: Redis, user: string): Promise<Record<string, string>[]> {
  const entries = (await node.call('ACL', 'LOG')) as (string | number)[][];
  return entries
    .map((entry) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i < entry.length; i += 2) fields[String(entry[i])] = String(entry[i + 1]);
      return fields;
    })
    .filter((fields) => fields.username === user);
}

/**
 * The documented least-privilege user on the shared test cluster: ACL users live on each node
 * (Redis Cluster does not share them), so the test makes its user, under a name and prefix of
 * its own, on every node, primaries and replicas alike (a replica becomes a primary after a
 * failover), and deletes it at the end.
 */
describe('ACL users on a Redis Cluster', () => {
  const prefix = uniquePrefix();
  const users: string[] = [];
  let nodes: Redis[];
  beforeAll(() => {
    nodes = clusterNodes().map(({ host, port }) => new Redis({ host, port }));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.call('ACL', 'DELUSER', ...users)));
    nodes.forEach((node) => node.disconnect());
  });

  /** Makes user `name` with `rules` on every node. */
  const setUser = async (name: string, rules: string[]) => {
    users.push(name);
    await Promise.all(nodes.map((node) => node.call('ACL', 'SETUSER', name, ...rules)));
  };

  const appAs = (user: string, options: Parameters<typeof createTestApp>[1] = {}) =>
    createTestApp([AclTasks], {
      connection: {
        cluster: clusterNodes(),
        options: { redisOptions: { username: user, password: ACL_PASSWORD } },
      },
      prefix,
      keyLayout: 'queue',
      worker: { leaseMs: 1000 },
      ...options,
    });

  // Without functions: the same swap as for one server (`+evalsha +eval`).
  it.each([
    ['with functions', true],
    ['with scripts (EVALSHA)', false],
  ])(
    'runs the whole flow in the queue layout as the documented user taskmill-cluster, %s',
    async (_, functions) => {
      const user = `${prefix}-${functions ? 'functions' : 'scripts'}`;
      const rules = documentedRules('taskmill-cluster', prefix);
      await setUser(user, functions ? rules : withoutFunctions(rules));
      const app = await appAs(user, { redisFunctions: functions });
      try {
        await runWholeFlow(app.queue, app.app.get(LockService));
        expect(app.app.get(Broker).scriptMode).toBe(functions ? 'functions' : 'scripts');
      } finally {
        await app.close();
      }
      // No node refused anything, not even a check taskmill could do without.
      const refused = await Promise.all(nodes.map((node) => refusalsOf(node, user)));
      expect(refused.flat()).toEqual([]);
    },
    60_000,
  );

  it('fails an enqueue with RedisPermissionError when a node refuses a command inside a script', async () => {
    const user = `${prefix}-no-xadd`;
    const rules = documentedRules('taskmill-cluster', prefix).filter((rule) => rule !== '+xadd');
    await setUser(user, rules);
    const app = await appAs(user, { worker: { enabled: false } });
    try {
      const error = await app.queue
        .enqueue('acl.echo', ['x'], { queue: ACL_QUEUE })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisPermissionError);
      // In the 'queue' layout the queue's registration runs first, and stops at its XADD.
      expect((error as Error).message).toMatch(
        /^Redis refused a command for lack of ACL permission \(ERR The user executing the script can't run this command[^(]*\); taskmill's register_queues script stopped at that command\./,
      );
      expect((error as Error).message).toContain('docs/operations.md');
      const refused = (await Promise.all(nodes.map((node) => refusalsOf(node, user)))).flat();
      expect(refused.map((entry) => entry.object)).toContain('xadd');
    } finally {
      await app.close();
    }
  });

  it.each(['+cluster|slots', '+cluster|info'])(
    'fails the start with RedisPermissionError naming the command without %s',
    async (missing) => {
      const user = `${prefix}-no-${missing.slice(1).replace('|', '-')}`;
      const rules = documentedRules('taskmill-cluster', prefix).filter((rule) => rule !== missing);
      await setUser(user, rules);
      // ioredis keeps trying until connectTimeoutMs: 1 s is enough for a local cluster.
      const error = await appAs(user, { connectTimeoutMs: 1000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisPermissionError);
      expect((error as RedisPermissionError).command).toBe(missing.slice(1));
      expect((error as Error).message).toContain(`Add ${missing} to the user's ACL SETUSER line`);
      expect((error as Error).message).toContain('docs/operations.md');
    },
  );
});
