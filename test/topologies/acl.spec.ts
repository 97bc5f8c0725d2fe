import { Redis } from 'ioredis';
import {
  ConnectionError,
  LockService,
  QueueModuleOptions,
  RedisPermissionError,
  TaskmillError,
} from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { KeyBuilder } from '../../lib/broker/keys';
import { PrivateRedis, startPrivateRedis } from '../../lib/testing';
import {
  ACL_PASSWORD,
  documentedAclLines,
  documentedRules,
  withoutFunctions,
} from '../support/acl-lines';
import { snapshotOf } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';
import { ACL_QUEUE, AclTasks, runWholeFlow } from './acl-flow';

/** Commands and keys an ACL user may use: the least taskmill needs, tested on a real server. */
describe('ACL users', () => {
  let redis: PrivateRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  const userUrl = (user: string, password = ACL_PASSWORD) =>
    `redis://${user}:${password}@127.0.0.1:${redis.port}`;

  const appAs = (user: string, options: QueueModuleOptions = {}) =>
    createTestApp([AclTasks], {
      connection: userUrl(user),
      prefix: 'taskmill',
      keyLayout: 'prefix',
      worker: { leaseMs: 1000 },
      ...options,
    });

  const withApp = async (app: TestApp, run: () => Promise<void>) => {
    try {
      await run();
    } finally {
      await app.close();
    }
  };

  it('shows the documented line for the common case in the README, as docs/operations.md has it', () => {
    const readme = documentedAclLines('README.md');
    expect([...readme.keys()]).toEqual(['taskmill']);
    expect(readme.get('taskmill')).toEqual(
      documentedAclLines('docs/operations.md').get('taskmill'),
    );
  });

  it('documents the user without functions as the same line with +evalsha +eval instead', () => {
    expect(documentedRules('taskmill-scripts')).toEqual(
      withoutFunctions(documentedRules('taskmill')),
    );
  });

  // Both key layouts: in 'queue' the queues' keys are `{taskmill:<tag>}:…`, the second pattern.
  it.each([
    ['taskmill', 'prefix'],
    ['taskmill-scripts', 'prefix'],
    ['taskmill', 'queue'],
    ['taskmill-scripts', 'queue'],
  ] as const)(
    'runs the whole flow as the documented user %s in the %s key layout',
    async (user, keyLayout) => {
      await admin.call('ACL', 'SETUSER', user, ...documentedRules(user));
      await admin.call('ACL', 'LOG', 'RESET');
      // The user without FUNCTION runs the scripts with EVALSHA from the start.
      const app = await appAs(user, { redisFunctions: user === 'taskmill', keyLayout });
      await withApp(app, () => runWholeFlow(app.queue, app.app.get(LockService)));
      expect(app.app.get(Broker).scriptMode).toBe(user === 'taskmill' ? 'functions' : 'scripts');
      expect(app.app.get(KeyBuilder).layout).toBe(keyLayout);
      // Nothing was refused, not even a check taskmill could do without.
      expect(await admin.call('ACL', 'LOG')).toEqual([]);
    },
    30_000,
  );

  it('fails an enqueue with RedisPermissionError naming the script when a command is refused inside it, and writes no task', async () => {
    const rules = documentedRules('taskmill').filter((rule) => rule !== '+xadd');
    await admin.call('ACL', 'SETUSER', 'no-xadd', ...rules);
    const app = await appAs('no-xadd', { worker: { enabled: false } });
    await withApp(app, async () => {
      const before = await snapshotOf(admin, 'taskmill');
      const error = (await app.queue
        .enqueue('acl.echo', ['x'])
        .catch((e: unknown) => e)) as RedisPermissionError;
      expect(error).toBeInstanceOf(RedisPermissionError);
      // Refused inside the enqueue function: Redis 7.0 names the script and line, not the
      // command; ACL LOG names it.
      expect(error.message).toContain("taskmill's enqueue script");
      expect(error.message).toContain('ACL LOG');
      const [entry] = (await admin.call('ACL', 'LOG', '1')) as string[][];
      expect(entry[entry.indexOf('object') + 1]).toBe('xadd');
      // The function stopped at its XADD: no task record, ready entry or event was written.
      // Only the queue's name went into the prefix's queue registry (idempotent, no task).
      const registry = '{taskmill}:queues';
      const withoutRegistry = (keys: [string, Buffer | null][]) =>
        keys.filter(([key]) => key !== registry);
      expect(withoutRegistry(await snapshotOf(admin, 'taskmill'))).toEqual(withoutRegistry(before));
      expect(await admin.smembers(registry)).toEqual([ACL_QUEUE]);
    });
  });

  it('fails an enqueue with RedisPermissionError for a user without the key patterns, and writes nothing', async () => {
    const rules = documentedRules('taskmill').filter((rule) => !rule.startsWith('~'));
    await admin.call('ACL', 'SETUSER', 'no-keys', ...rules, '~other:*');
    const app = await appAs('no-keys', { worker: { enabled: false } });
    await withApp(app, async () => {
      const before = await snapshotOf(admin, 'taskmill');
      const error = await app.queue.enqueue('acl.echo', ['x']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisPermissionError);
      expect((error as Error).message).toContain('no permissions to access one of the keys');
      expect((error as Error).message).toContain('~{prefix}:* ~{prefix:*');
      expect(await snapshotOf(admin, 'taskmill')).toEqual(before);
    });
  });

  it('fails the start with RedisPermissionError when the startup check is refused', async () => {
    // TIME syncs taskmill's clock with the server's before the first script.
    const rules = documentedRules('taskmill').filter((rule) => rule !== '+time');
    await admin.call('ACL', 'SETUSER', 'no-time', ...rules);
    const error = await appAs('no-time').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisPermissionError);
    expect((error as RedisPermissionError).command).toBe('time');
    expect((error as Error).message).toContain('Add +time to the user');
  });

  it.each([
    ['a URL', (url: string) => ({ connection: url })],
    [
      'username and password options',
      (url: string) => {
        const { username, password, port } = new URL(url);
        return { connection: { host: '127.0.0.1', port: Number(port), username, password } };
      },
    ],
  ])(
    'logs in with %s, and a wrong password fails the start naming the credentials',
    async (_, make) => {
      await admin.call('ACL', 'SETUSER', 'taskmill', ...documentedRules('taskmill'));
      const app = await appAs('taskmill', {
        ...make(userUrl('taskmill')),
        worker: { enabled: false },
      });
      await withApp(app, async () => {
        const handle = await app.queue.enqueue('acl.echo', ['x'], { queue: ACL_QUEUE });
        await expect(handle.status()).resolves.toMatchObject({ id: handle.id });
      });
      const error = await appAs('taskmill', make(userUrl('taskmill', 'wrong-one'))).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toBeInstanceOf(TaskmillError);
      expect((error as Error).message).toContain('refused the credentials');
      expect((error as Error).message).toContain('WRONGPASS');
      expect((error as Error).message).not.toContain('wrong-one');
    },
  );
});
