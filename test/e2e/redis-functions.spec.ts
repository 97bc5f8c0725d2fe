import { Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { NonRetryableError, Task, TaskStatus, taskContext } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { scriptLibrary } from '../../lib/broker/script-loader';
import { startPrivateRedis } from '../../lib/testing';
import { newTask, testBroker } from '../support/broker';
import { failureOf } from '../support/failures';
import { keyLayoutInTests, rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class ModeTasks {
  @Task({ name: 'mode.double', queue: 'modes' })
  async double(n: number): Promise<number> {
    return n * 2 + taskContext().attempt - 1;
  }

  @Task({ name: 'mode.flaky', queue: 'modes', retries: 2, backoff: { type: 'constant', delay: 1 } })
  async flaky(): Promise<number> {
    if (taskContext().attempt < 2) throw new Error('first run fails');
    return taskContext().attempt;
  }

  @Task({ name: 'mode.broken', queue: 'modes' })
  async broken(): Promise<never> {
    throw new NonRetryableError('broken for good');
  }
}

/** Runs the core life cycle: results, a retry, a failure and a chain, in either script mode. */
async function runLifeCycle(app: TestApp): Promise<void> {
  const doubled = await app.queue.enqueue('mode.double', [21]);
  expect(await doubled.result({ timeout: 5000 })).toBe(42);
  const flaky = await app.queue.enqueue('mode.flaky', []);
  expect(await flaky.result({ timeout: 5000 })).toBe(2);
  const broken = await app.queue.enqueue('mode.broken', []);
  expect((await failureOf(broken)).message).toContain('broken for good');
  expect((await broken.status())?.status).toBe(TaskStatus.FAILED);
  const chain = await app.queue.chain([
    { task: 'mode.double', args: [1] },
    { task: 'mode.double', args: [5] },
  ]);
  expect(await chain.result({ timeout: 5000 })).toBe(10);
}

describe('Redis functions (FCALL) and scripts (EVALSHA)', () => {
  it('runs the scripts as one function library on Redis 7+', async () => {
    const { broker, redis } = testBroker(true);
    try {
      expect(broker.scriptMode).toBe('scripts');
      await broker.enqueue([newTask(broker, 'first', 'q')], false);
      expect(broker.scriptMode).toBe('functions');
      const libraries = (await redis.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'taskmill_*')) as [
        string,
        string,
      ][];
      const names = libraries.map((library) => library[1]);
      expect(names).toContain(scriptLibrary().name);
      expect(await redis.hget(broker.router.slotFor('q', 'first').task('first'), 's')).toBe(
        'submitted',
      );
    } finally {
      redis.disconnect();
    }
  });

  it('keeps EVALSHA when redisFunctions is false', async () => {
    const { broker, redis } = testBroker(false);
    const sent = jest.spyOn(redis, 'sendCommand');
    try {
      await broker.enqueue([newTask(broker, 'only', 'q')], false);
      expect(broker.scriptMode).toBe('scripts');
      const names = sent.mock.calls.map(([command]) => command.name.toLowerCase());
      // ioredis sends a script's text (EVAL) on a connection's first call, then its digest. The
      // 'queue' layout first registers the new queue in the prefix's slot: a second script.
      const scripts = keyLayoutInTests() === 'queue' ? 2 : 1;
      expect(names.filter((name) => name === 'eval' || name === 'evalsha')).toHaveLength(scripts);
      expect(names).not.toContain('fcall');
      expect(names).not.toContain('function');
    } finally {
      sent.mockRestore();
      redis.disconnect();
    }
  });

  it('loads the library again when it vanished from the server (FUNCTION DELETE)', async () => {
    const { broker, redis } = testBroker(true);
    const admin = rawRedis();
    try {
      await broker.enqueue([newTask(broker, 'before', 'q')], false);
      expect(broker.scriptMode).toBe('functions');
      await admin.call('FUNCTION', 'DELETE', scriptLibrary().name);
      expect(await broker.enqueue([newTask(broker, 'after', 'q')], false)).toEqual(['written']);
      expect(await redis.hget(broker.router.slotFor('q', 'after').task('after'), 's')).toBe(
        'submitted',
      );
    } finally {
      admin.disconnect();
      redis.disconnect();
    }
  });

  for (const redisFunctions of [true, false]) {
    it(`runs results, retries, failures and chains with redisFunctions: ${redisFunctions}`, async () => {
      const app = await createTestApp([ModeTasks], { redisFunctions });
      try {
        await runLifeCycle(app);
        expect(app.app.get(Broker).scriptMode).toBe(redisFunctions ? 'functions' : 'scripts');
      } finally {
        await app.close();
      }
    });
  }

  it('falls back to EVALSHA, with a warning, for a user whose ACL forbids FUNCTION', async () => {
    const redis = await startPrivateRedis();
    const admin = new Redis(redis.url);
    await admin.acl('SETUSER', 'nofunctions', 'on', '>secret', '~*', '&*', '+@all', '-function');
    admin.disconnect();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { port } = new URL(redis.url);
      const app = await createTestApp([ModeTasks], {
        redisFunctions: true,
        connection: {
          host: '127.0.0.1',
          port: Number(port),
          username: 'nofunctions',
          password: 'secret',
        },
      });
      try {
        await runLifeCycle(app);
        expect(app.app.get(Broker).scriptMode).toBe('scripts');
        const warnings = warn.mock.calls.map(([message]) => String(message)).join('\n');
        expect(warnings).toContain('running its scripts with EVALSHA instead');
      } finally {
        await app.close();
      }
    } finally {
      warn.mockRestore();
      await redis.stop();
    }
  });
});
