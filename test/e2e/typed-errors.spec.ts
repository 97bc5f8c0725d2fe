import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { filter, firstValueFrom } from 'rxjs';
import { Redis } from 'ioredis';
import {
  ConnectionError,
  InvalidOptionsError,
  MessageAlreadyExistsError,
  QueueModule,
  QueueService,
  ResultTimeoutError,
  SerializationError,
  Task,
  TaskNameCollisionError,
  TaskStatus,
  UnknownTaskError,
} from '../../lib';
import { TASK_FIELDS } from '../../lib/broker/keys';
import { keysOf, rawRedis, testRedisUrl, uniquePrefix } from '../support/redis';
import { catchInvalidOptions } from '../support/expect-invalid';
import { createTestApp, TestApp } from '../support/test-app';
import { taskKey } from '../support/task-keys';

@Injectable()
class Mailer {
  @Task('mail.send')
  async send(to: string): Promise<string> {
    return `sent to ${to}`;
  }

  notDecorated(): string {
    return 'plain';
  }
}

@Injectable()
class OtherMailer {
  @Task('mail.send')
  async send(): Promise<void> {}
}

describe('typed errors (bad input changes nothing)', () => {
  let t: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    t = await createTestApp([Mailer], { worker: { enabled: false } });
    redis = rawRedis();
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  it('fails startup with TaskNameCollisionError when two handlers share a name', async () => {
    const error = await createTestApp([Mailer, OtherMailer]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskNameCollisionError);
    expect((error as Error).message).toContain('Mailer.send');
    expect((error as Error).message).toContain('OtherMailer.send');
  });

  it('registers a handler once when its provider also has a useExisting alias', async () => {
    const aliased = await createTestApp([Mailer, { provide: 'MAILER', useExisting: Mailer }]);
    try {
      const handle = await aliased.queue.enqueue('mail.send', ['alias@b.c']);
      await expect(handle.result({ timeout: 5000 })).resolves.toBe('sent to alias@b.c');
    } finally {
      await aliased.close();
    }
  });

  it('rejects bad module options at startup with InvalidOptionsError naming the field', async () => {
    const error = await createTestApp([], { worker: { concurrency: -1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).field).toBe('worker.concurrency');
  });

  it('rejects a duplicate custom id with MessageAlreadyExistsError and keeps the first task', async () => {
    const first = await t.queue.enqueue('mail.send', ['a@b.c'], { id: 'order-42' });
    const error = await t.queue
      .enqueue('mail.send', ['x@y.z'], { id: 'order-42' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageAlreadyExistsError);
    // Its advice works in either key layout: a custom id is found with its queue.
    expect((error as Error).message).toContain("queue.handle('order-42', { queue: 'default' })");
    const holder = t.queue.handle('order-42', { queue: 'default' });
    expect((await holder.status()).status).toBe(TaskStatus.SUBMITTED);
    expect(await redis.hget(taskKey(t, 'default', first.id), TASK_FIELDS.args)).toBe('["a@b.c"]');
  });

  it('lets only one of two same-tick enqueues with the same custom id through', async () => {
    const [first, second] = await Promise.allSettled([
      t.queue.enqueue('mail.send', ['first'], { id: 'same-tick' }),
      t.queue.enqueue('mail.send', ['second'], { id: 'same-tick' }),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(MessageAlreadyExistsError);
    expect(await redis.hget(taskKey(t, 'default', 'same-tick'), TASK_FIELDS.args)).toBe(
      '["first"]',
    );
  });

  it('writes nothing of an enqueueMany batch when one id is taken', async () => {
    await t.queue.enqueue('mail.send', ['a@b.c'], { id: 'taken' });
    const before = (await keysOf(redis, t.prefix)).sort();
    const error = await t.queue
      .enqueueMany([
        { task: 'mail.send', args: ['1'], options: { id: 'fresh-1' } },
        { task: 'mail.send', args: ['2'], options: { id: 'taken' } },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageAlreadyExistsError);
    expect((error as MessageAlreadyExistsError).taskId).toBe('taken');
    expect((error as Error).message).toContain("queue.handle('taken', { queue: 'default' })");
    expect((await keysOf(redis, t.prefix)).sort()).toEqual(before);
    expect((await t.queue.handle('fresh-1', { queue: 'default' }).status()).status).toBe(
      TaskStatus.UNKNOWN,
    );
  });

  it.each<[string, () => Promise<unknown>, new (...args: never[]) => Error]>([
    ['a function argument', () => t.queue.enqueue('mail.send', [() => 1]), SerializationError],
    ['a BigInt argument', () => t.queue.enqueue('mail.send', [BigInt(1)]), SerializationError],
    [
      'a Date in metadata',
      () => t.queue.enqueue('mail.send', ['a'], { metadata: { at: new Date() } }),
      SerializationError,
    ],
    [
      'a negative delay',
      () => t.queue.enqueue('mail.send', ['a'], { delay: -5 }),
      InvalidOptionsError,
    ],
    [
      'arguments larger than maxPayloadBytes',
      () => t.queue.enqueue('mail.send', ['x'.repeat(1_100_000)]),
      InvalidOptionsError,
    ],
    [
      'a timeout longer than a timer can wait',
      () => t.queue.enqueue('mail.send', ['a'], { timeout: 30 * 86_400_000 }),
      InvalidOptionsError,
    ],
    [
      'an unknown option',
      () => t.queue.enqueue('mail.send', ['a'], { retires: 2 } as never),
      InvalidOptionsError,
    ],
    [
      'a queue name with :',
      () => t.queue.enqueue('mail.send', ['a'], { queue: 'a:b' }),
      InvalidOptionsError,
    ],
    ['a task name with {', () => t.queue.enqueue('mail{x}', ['a']), InvalidOptionsError],
    [
      'an id with a newline',
      () => t.queue.enqueue('mail.send', ['a'], { id: 'a\nb' }),
      InvalidOptionsError,
    ],
    ['a non-array args', () => t.queue.enqueue('mail.send', 'a@b.c' as never), InvalidOptionsError],
    ['a method without @Task', () => t.queue.enqueue(Mailer, 'notDecorated', []), UnknownTaskError],
    [
      'a bad request in a batch',
      () => t.queue.enqueueMany([{ task: 'mail.send', args: [Symbol('x')] }]),
      SerializationError,
    ],
  ])('rejects %s with a typed error and writes nothing', async (_what, enqueue, type) => {
    const before = (await keysOf(redis, t.prefix)).sort();
    await expect(enqueue()).rejects.toBeInstanceOf(type);
    expect((await keysOf(redis, t.prefix)).sort()).toEqual(before);
  });

  it('rejects an unknown task name with UnknownTaskError in strict mode only', async () => {
    const strict = await createTestApp([Mailer], { strict: true, worker: { enabled: false } });
    await expect(strict.queue.enqueue('mail.sned', ['a'])).rejects.toBeInstanceOf(UnknownTaskError);
    await expect(strict.queue.enqueue('mail.send', ['a'])).resolves.toBeDefined();
    await strict.close();
    await expect(t.queue.enqueue('handled.elsewhere', [1])).resolves.toBeDefined();
  });

  it('rejects a result() timeout longer than a timer can wait, or negative', async () => {
    const handle = await t.queue.enqueue('mail.send', ['a'], { delay: 60_000 });
    await expect(handle.result({ timeout: 2 ** 31 })).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(handle.result({ timeout: -1 })).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('rejects result() options that are not { timeout? } instead of waiting forever', async () => {
    const handle = await t.queue.enqueue('mail.send', ['a'], { delay: 60_000 });
    const untyped = handle.result.bind(handle) as (options: unknown) => Promise<unknown>;
    for (const [options, field] of [
      [5000, 'options'],
      [{ timout: 5000 }, 'timout'],
      [{ timeout: '5s' }, 'timeout'],
    ] as const) {
      const error = await untyped(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).field).toBe(field);
    }
  });

  it('refuses an events$() filter that would quietly follow every queue', () => {
    const events$ = t.queue.events$.bind(t.queue) as (filter: unknown) => unknown;
    for (const [filter, field] of [
      [{ queue: '' }, 'filter.queue'],
      [{ queues: 'mail' }, 'filter.queues'],
      ['mail', 'filter'],
    ] as const) {
      expect(catchInvalidOptions(() => events$(filter)).field).toBe(field);
    }
  });

  it('rejects result() with ResultTimeoutError when the timeout passes first', async () => {
    const handle = await t.queue.enqueue('mail.send', ['a'], { delay: 60_000 });
    const error = await handle.result({ timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResultTimeoutError);
    expect((await handle.status()).status).toBe(TaskStatus.SUBMITTED);
  });

  it('rejects enqueue with ConnectionError when Redis cannot be reached', async () => {
    const offline = await createTestApp([], {
      connection: {
        host: '127.0.0.1',
        port: 1,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      },
      // The lazy mode: the app starts without waiting for Redis.
      connectTimeoutMs: 0,
      worker: { enabled: false },
    });
    await expect(offline.queue.enqueue('mail.send', ['a'])).rejects.toBeInstanceOf(ConnectionError);
    await offline.close();
  });

  it('starts and stops an app with a worker even when Redis cannot be reached', async () => {
    const offline = await createTestApp([Mailer], {
      connection: {
        host: '127.0.0.1',
        port: 1,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      },
      connectTimeoutMs: 0,
      worker: { shutdownTimeoutMs: 100 },
    });
    const error = await firstValueFrom(
      offline.worker.events$.pipe(filter((e) => e.type === 'worker.error')),
    );
    expect(error.type).toBe('worker.error');
    await offline.close();
  });
});

describe('QueueModule.forRootAsync', () => {
  const CONFIG = 'CONFIG';

  @Module({
    providers: [{ provide: CONFIG, useValue: { url: testRedisUrl(), prefix: uniquePrefix() } }],
    exports: [CONFIG],
  })
  class ConfigModule {}

  it('takes its options from an injected factory', async () => {
    const app = await Test.createTestingModule({
      imports: [
        QueueModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: (config: { url: string; prefix: string }) => ({
            connection: config.url,
            prefix: config.prefix,
          }),
        }),
      ],
      providers: [Mailer],
    }).compile();
    await app.init();
    const handle = await app.get(QueueService).enqueue(Mailer, 'send', ['async@b.c']);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('sent to async@b.c');
    await app.close();
  });

  it('validates factory options at startup', async () => {
    const building = Test.createTestingModule({
      imports: [QueueModule.forRootAsync({ useFactory: () => ({ prefix: 'bad:prefix' }) })],
    }).compile();
    await expect(building).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});
