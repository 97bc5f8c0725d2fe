import { Redis } from 'ioredis';
import { QueueModuleOptions } from '../../../lib/options/module.options';
import { resolveModuleOptions } from '../../../lib/options/module-options.validator';
import { JsonSerializer } from '../../../lib/serialization/json-serializer';
import { catchInvalidOptions } from '../../support/expect-invalid';

/** Lets a test pass options the types forbid, as a JavaScript caller could. */
function resolveUntyped(options: unknown) {
  return resolveModuleOptions(options as QueueModuleOptions);
}

describe('resolveModuleOptions', () => {
  const savedRedisUrl = process.env.REDIS_URL;
  afterEach(() => {
    if (savedRedisUrl === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = savedRedisUrl;
  });

  describe('defaults', () => {
    it('fills in every default of the API contract when given no options', () => {
      delete process.env.REDIS_URL;
      const resolved = resolveModuleOptions();
      expect(resolved).toMatchObject({
        connection: 'redis://127.0.0.1:6379',
        prefix: 'taskmill',
        strict: false,
        defaults: {
          queue: 'default',
          priority: 0,
          retries: 3,
          backoff: { type: 'exponential', delay: 1000, ceiling: 60_000 },
          timeout: undefined,
          resultTtl: 86_400_000,
        },
        worker: {
          enabled: true,
          queues: undefined,
          queueOrder: 'strict',
          concurrency: 10,
          leaseMs: 30_000,
          shutdownTimeoutMs: 10_000,
          maxReclaims: 2,
          integrityScanMs: 60_000,
        },
        eventsMaxLen: 10_000,
        deadLetterTtl: 604_800_000,
        maxPayloadBytes: 1_048_576,
        commandTimeoutMs: 5_000,
        connectTimeoutMs: 10_000,
        logging: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
        blockingTimeoutMs: 10_000,
        redisFunctions: true,
      });
      expect(resolved.serializer).toBeInstanceOf(JsonSerializer);
    });

    it('waits for no replica unless asked; a count takes a timeout inside commandTimeoutMs', () => {
      expect(resolveModuleOptions().waitForReplicas).toBeUndefined();
      expect(resolveModuleOptions({ waitForReplicas: 2 }).waitForReplicas).toEqual({
        replicas: 2,
        timeoutMs: 1_000,
      });
      expect(
        resolveModuleOptions({ commandTimeoutMs: 600, waitForReplicas: 1 }).waitForReplicas,
      ).toEqual({ replicas: 1, timeoutMs: 300 });
      expect(
        resolveModuleOptions({ waitForReplicas: { replicas: 1, timeoutMs: 250 } }).waitForReplicas,
      ).toEqual({ replicas: 1, timeoutMs: 250 });
    });

    it('gives the default backoff no floor and no jitter', () => {
      expect(resolveModuleOptions().defaults.backoff).toEqual({
        type: 'exponential',
        delay: 1000,
        ceiling: 60_000,
      });
    });

    it('takes the connection from REDIS_URL when it is set and no connection is given', () => {
      process.env.REDIS_URL = 'redis://redis.internal:6390/2';
      expect(resolveModuleOptions({}).connection).toBe('redis://redis.internal:6390/2');
    });

    it('prefers an explicit connection over REDIS_URL', () => {
      process.env.REDIS_URL = 'redis://redis.internal:6390';
      expect(resolveModuleOptions({ connection: 'rediss://elsewhere:6380' }).connection).toBe(
        'rediss://elsewhere:6380',
      );
    });

    it('keeps module defaults that are not overridden when some defaults are given', () => {
      const resolved = resolveModuleOptions({ defaults: { retries: 9, queue: 'jobs' } });
      expect(resolved.defaults).toMatchObject({
        queue: 'jobs',
        retries: 9,
        priority: 0,
        resultTtl: 86_400_000,
      });
    });

    it('keeps worker defaults that are not overridden when some worker options are given', () => {
      const resolved = resolveModuleOptions({ worker: { concurrency: 3 } });
      expect(resolved.worker).toEqual({
        enabled: true,
        queues: undefined,
        queueOrder: 'strict',
        concurrency: 3,
        leaseMs: 30_000,
        shutdownTimeoutMs: 10_000,
        maxReclaims: 2,
        integrityScanMs: 60_000,
      });
    });
  });

  describe('accepted values', () => {
    it('accepts an ioredis options object as the connection', () => {
      const connection = { host: '10.0.0.1', port: 6400 };
      expect(resolveModuleOptions({ connection }).connection).toBe(connection);
    });

    it('accepts an ioredis instance as the connection, unchanged', () => {
      const redis = new Redis({ lazyConnect: true });
      try {
        expect(resolveModuleOptions({ connection: redis }).connection).toBe(redis);
      } finally {
        redis.disconnect();
      }
    });

    it('accepts a custom serializer with serialize and deserialize methods', () => {
      const serializer = { serialize: () => '', deserialize: () => null };
      expect(resolveModuleOptions({ serializer }).serializer).toBe(serializer);
    });

    it('accepts a list of worker queues', () => {
      expect(resolveModuleOptions({ worker: { queues: ['a', 'b'] } }).worker.queues).toEqual([
        'a',
        'b',
      ]);
    });

    it('accepts connectTimeoutMs 0 (start without waiting for Redis)', () => {
      expect(resolveModuleOptions({ connectTimeoutMs: 0 }).connectTimeoutMs).toBe(0);
    });

    it('turns logging: false into no levels, and keeps a list of levels', () => {
      expect(resolveModuleOptions({ logging: false }).logging).toEqual([]);
      expect(resolveModuleOptions({ logging: ['warn', 'error'] }).logging).toEqual([
        'warn',
        'error',
      ]);
    });

    it('accepts a prefix made of letters, digits and _ . - / @', () => {
      expect(resolveModuleOptions({ prefix: 'my-app_v2.prod/eu@1' }).prefix).toBe(
        'my-app_v2.prod/eu@1',
      );
    });
  });

  describe('rejections name the bad field', () => {
    it.each<[string, unknown, string]>([
      ['an unknown top-level key', { retires: 3 }, 'retires'],
      ['an unknown worker key', { worker: { concurency: 3 } }, 'worker.concurency'],
      ['an unknown defaults key', { defaults: { retires: 3 } }, 'defaults.retires'],
      ['worker.concurrency 0', { worker: { concurrency: 0 } }, 'worker.concurrency'],
      ['a fractional worker.concurrency', { worker: { concurrency: 1.5 } }, 'worker.concurrency'],
      ['a negative worker.leaseMs', { worker: { leaseMs: -1 } }, 'worker.leaseMs'],
      ['a negative worker.maxReclaims', { worker: { maxReclaims: -1 } }, 'worker.maxReclaims'],
      ['a tiny maxPayloadBytes', { maxPayloadBytes: 10 }, 'maxPayloadBytes'],
      [
        'a tiny worker.integrityScanMs',
        { worker: { integrityScanMs: 1 } },
        'worker.integrityScanMs',
      ],
      ['a zero commandTimeoutMs', { commandTimeoutMs: 0 }, 'commandTimeoutMs'],
      ['a negative connectTimeoutMs', { connectTimeoutMs: -1 }, 'connectTimeoutMs'],
      ['a string connectTimeoutMs', { connectTimeoutMs: '10s' }, 'connectTimeoutMs'],
      ['an endless connectTimeoutMs', { connectTimeoutMs: Infinity }, 'connectTimeoutMs'],
      ['logging as a string', { logging: 'debug' }, 'logging'],
      ['logging with an unknown level', { logging: ['warn', 'info'] }, 'logging'],
      ['a string commandTimeoutMs', { commandTimeoutMs: '5s' }, 'commandTimeoutMs'],
      ['a tiny blockingTimeoutMs', { blockingTimeoutMs: 5 }, 'blockingTimeoutMs'],
      ['an endless blockingTimeoutMs', { blockingTimeoutMs: Infinity }, 'blockingTimeoutMs'],
      ['a deadLetterTtl Redis cannot store', { deadLetterTtl: 1e19 }, 'deadLetterTtl'],
      ['a non-boolean redisFunctions', { redisFunctions: 'yes' }, 'redisFunctions'],
      ['waitForReplicas 0', { waitForReplicas: 0 }, 'waitForReplicas'],
      ['a fractional waitForReplicas', { waitForReplicas: 1.5 }, 'waitForReplicas'],
      ['waitForReplicas as a string', { waitForReplicas: '1' }, 'waitForReplicas'],
      [
        'waitForReplicas without replicas',
        { waitForReplicas: { timeoutMs: 100 } },
        'waitForReplicas.replicas',
      ],
      [
        'an unknown waitForReplicas key',
        { waitForReplicas: { replicas: 1, timeout: 100 } },
        'waitForReplicas.timeout',
      ],
      [
        'a waitForReplicas.timeoutMs of 0 (WAIT would wait for ever)',
        { waitForReplicas: { replicas: 1, timeoutMs: 0 } },
        'waitForReplicas.timeoutMs',
      ],
      [
        'a waitForReplicas.timeoutMs not below commandTimeoutMs',
        { commandTimeoutMs: 2_000, waitForReplicas: { replicas: 1, timeoutMs: 2_000 } },
        'waitForReplicas.timeoutMs',
      ],
      ['a fractional worker.maxReclaims', { worker: { maxReclaims: 1.5 } }, 'worker.maxReclaims'],
      [
        'a non-numeric worker.shutdownTimeoutMs',
        { worker: { shutdownTimeoutMs: '10s' } },
        'worker.shutdownTimeoutMs',
      ],
      ['a non-boolean worker.enabled', { worker: { enabled: 'yes' } }, 'worker.enabled'],
      ['an unknown worker.queueOrder', { worker: { queueOrder: 'weighted' } }, 'worker.queueOrder'],
      [
        'a queue rateLimit.max of 0',
        { queues: { q: { rateLimit: { max: 0, perMs: 1000 } } } },
        'queues.q.rateLimit.max',
      ],
      [
        'a negative queue rateLimit.perMs',
        { queues: { q: { rateLimit: { max: 5, perMs: -1 } } } },
        'queues.q.rateLimit.perMs',
      ],
      ['a queue concurrency of 0', { queues: { q: { concurrency: 0 } } }, 'queues.q.concurrency'],
      [
        'a fractional queue concurrency',
        { queues: { q: { concurrency: 2.5 } } },
        'queues.q.concurrency',
      ],
      [
        'a queue concurrency below its shards',
        { keyLayout: 'queue', queues: { q: { shards: 4, concurrency: 3 } } },
        'queues.q.concurrency',
      ],
      [
        'a group concurrency of 0',
        { queues: { q: { groups: { concurrency: 0 } } } },
        'queues.q.groups.concurrency',
      ],
      [
        'a group rateLimit without max',
        { queues: { q: { groups: { rateLimit: { perMs: 10 } } } } },
        'queues.q.groups.rateLimit.max',
      ],
      [
        'group limits on a sharded queue',
        { keyLayout: 'queue', queues: { q: { shards: 2, groups: { concurrency: 1 } } } },
        'queues.q.groups',
      ],
      [
        'a queue rateLimit.max below its shards',
        { keyLayout: 'queue', queues: { q: { shards: 4, rateLimit: { max: 2, perMs: 10 } } } },
        'queues.q.rateLimit.max',
      ],
      [
        'a connection string that is not a redis URL',
        { connection: 'localhost:6379' },
        'connection',
      ],
      ['an http URL as the connection', { connection: 'http://127.0.0.1:6379' }, 'connection'],
      ['a number as the connection', { connection: 6379 }, 'connection'],
      ['a prefix containing {', { prefix: 'a{b' }, 'prefix'],
      ['a prefix containing }', { prefix: 'a}b' }, 'prefix'],
      ['a prefix containing :', { prefix: 'a:b' }, 'prefix'],
      ['a prefix containing a control character', { prefix: 'a\u0001b' }, 'prefix'],
      ['a prefix containing a newline', { prefix: 'a\nb' }, 'prefix'],
      ['a prefix containing a space', { prefix: 'a b' }, 'prefix'],
      ['an empty prefix', { prefix: '' }, 'prefix'],
      ['a prefix longer than 128 characters', { prefix: 'p'.repeat(129) }, 'prefix'],
      [
        'a backoff floor above its ceiling',
        { defaults: { backoff: { type: 'constant', delay: 1, floor: 500, ceiling: 100 } } },
        'defaults.backoff.floor',
      ],
      [
        'an unknown backoff type',
        { defaults: { backoff: { type: 'fibonacci', delay: 100 } } },
        'defaults.backoff.type',
      ],
      ['a serializer without methods', { serializer: {} }, 'serializer'],
      ['a serializer without deserialize', { serializer: { serialize: () => '' } }, 'serializer'],
      ['an empty worker.queues', { worker: { queues: [] } }, 'worker.queues'],
      ['worker.queues that is not an array', { worker: { queues: 'emails' } }, 'worker.queues'],
      [
        'a bad queue name in worker.queues',
        { worker: { queues: ['ok', 'a:b'] } },
        'worker.queues[1]',
      ],
      ['a non-boolean strict', { strict: 1 }, 'strict'],
      ['options that are not an object', 'redis://127.0.0.1', 'QueueModule options'],
      ['worker options that are not an object', { worker: [] }, 'worker'],
      ['null worker options', { worker: null }, 'worker'],
      ['null defaults', { defaults: null }, 'defaults'],
    ])('rejects %s', (_what, options, field) => {
      expect(catchInvalidOptions(() => resolveUntyped(options)).field).toBe(field);
    });

    it('quotes the rejected connection string in the message', () => {
      const error = catchInvalidOptions(() => resolveUntyped({ connection: 'localhost:6379' }));
      expect(error.message).toContain('"localhost:6379"');
      expect(error.message).toContain('redis://');
    });

    it('refuses an ioredis 6 client or options with replyMapping resp3, naming the fix', () => {
      const resp3Client = new Redis({ lazyConnect: true, protocol: 3, replyMapping: 'resp3' });
      try {
        for (const connection of [
          resp3Client,
          { port: 6400, protocol: 3, replyMapping: 'resp3' },
        ]) {
          const error = catchInvalidOptions(() => resolveUntyped({ connection }));
          expect(error.field).toBe('connection');
          expect(error.message).toContain("replyMapping 'resp3'");
          expect(error.message).toContain("'legacy'");
        }
      } finally {
        resp3Client.disconnect();
      }
    });

    it('accepts protocol 3 with the default reply mapping', () => {
      const connection = { port: 6400, protocol: 3 as const };
      expect(resolveModuleOptions({ connection }).connection).toBe(connection);
    });

    it('shows control characters of a rejected prefix as escapes, not raw bytes', () => {
      const error = catchInvalidOptions(() => resolveUntyped({ prefix: 'a\u0001b' }));
      expect(error.message).toContain('a\\x01b');
      expect(error.message).not.toContain('\u0001');
    });

    it('lists the known keys when rejecting an unknown one', () => {
      const error = catchInvalidOptions(() => resolveUntyped({ retires: 3 }));
      expect(error.message).toContain('connection');
      expect(error.message).toContain('worker');
    });
  });
});
