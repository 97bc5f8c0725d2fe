import { KeyBuilder } from '../../../lib/broker/keys';
import { TaskRouter } from '../../../lib/broker/task-router';
import { TaskRegistry } from '../../../lib/discovery/task.registry';
import { InvalidOptionsError, SerializationError, UnknownTaskError } from '../../../lib/errors';
import { QueueModuleOptions } from '../../../lib/options/module.options';
import { resolveModuleOptions } from '../../../lib/options/module-options.validator';
import { EnqueueOptions, ResolvedTaskOptions } from '../../../lib/options/task.options';
import { TaskMessageBuilder } from '../../../lib/messages/task-message.builder';
import { catchInvalidOptions } from '../../support/expect-invalid';
import { TaskCatalog } from '../../../lib/catalog/task-catalog';
import { RedisConnections } from '../../../lib/redis/redis-connections';

function builderWith(
  options: QueueModuleOptions = {},
  tasks: Record<string, Partial<ResolvedTaskOptions>> = {},
): TaskMessageBuilder {
  const registry = new TaskRegistry();
  for (const [name, taskOptions] of Object.entries(tasks)) {
    registry.register({ name, source: `Test.${name}`, options: taskOptions, handler: () => null });
  }
  const resolved = resolveModuleOptions({ connection: 'redis://x:1', ...options });
  const keys = new KeyBuilder(resolved.prefix, resolved.keyLayout);
  const router = new TaskRouter(keys, resolved.queues);
  // The catalog connects lazily: these tests build messages without reading it.
  const catalog = new TaskCatalog(new RedisConnections(resolved.connection, resolved), keys);
  return new TaskMessageBuilder(resolved, registry, router, catalog);
}

/** Lets a test pass enqueue options the types forbid, as a JavaScript caller could. */
function untyped(options: unknown): EnqueueOptions {
  return options as EnqueueOptions;
}

describe('TaskMessageBuilder', () => {
  describe('a plain message', () => {
    const message = builderWith().build('email.send', ['a@b.c', 'hi']);

    it('gets a random 16-character URL-safe id (96 bits) when no id is given', () => {
      expect(message.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
      const ids = new Set(
        Array.from({ length: 1000 }, () => builderWith().build('email.send', []).id),
      );
      expect(ids.size).toBe(1000);
      expect(builderWith().build('email.send', []).id).not.toBe(message.id);
    });

    it('carries the task name and the serialised arguments', () => {
      expect(message.name).toBe('email.send');
      expect(JSON.parse(message.args)).toEqual(['a@b.c', 'hi']);
    });

    it('takes every task option from the module defaults', () => {
      expect(message).toMatchObject({
        queue: 'default',
        priority: 0,
        retries: 3,
        backoff: { type: 'exponential', delay: 1000, ceiling: 60_000 },
        timeout: undefined,
        resultTtl: 86_400_000,
      });
    });

    it('is due now (no delay, no runAt) and has no metadata', () => {
      expect(message).toMatchObject({ delay: 0, runAt: 0, metadata: '' });
    });
  });

  describe('option layering: module defaults ← registered task options ← enqueue options', () => {
    const builder = builderWith(
      { defaults: { queue: 'base', priority: 1, retries: 1, timeout: 100, resultTtl: 1000 } },
      { 'email.send': { queue: 'emails', retries: 5, backoff: { type: 'linear', delay: 10 } } },
    );

    it('uses module defaults for a task that is not registered', () => {
      expect(builder.build('other', [])).toMatchObject({
        queue: 'base',
        priority: 1,
        retries: 1,
        timeout: 100,
        resultTtl: 1000,
        backoff: { type: 'exponential', delay: 1000, ceiling: 60_000 },
      });
    });

    it('lets registered task options override module defaults', () => {
      expect(builder.build('email.send', [])).toMatchObject({
        queue: 'emails',
        priority: 1,
        retries: 5,
        timeout: 100,
        resultTtl: 1000,
        backoff: { type: 'linear', delay: 10 },
      });
    });

    it('lets enqueue options override registered task options and module defaults', () => {
      expect(
        builder.build('email.send', [], { queue: 'urgent', priority: -3, resultTtl: 5 }),
      ).toMatchObject({
        queue: 'urgent',
        priority: -3,
        retries: 5,
        timeout: 100,
        resultTtl: 5,
      });
    });

    it('replaces the whole backoff rather than merging its fields', () => {
      expect(builder.build('email.send', [], { backoff: 250 }).backoff).toEqual({
        type: 'constant',
        delay: 250,
      });
    });

    it('uses the options declared on a method over those of the registry', () => {
      expect(builder.build('email.send', [], {}, { queue: 'declared' })).toMatchObject({
        queue: 'declared',
        retries: 1,
      });
    });
  });

  describe('scheduling', () => {
    const builder = builderWith();

    it('passes a delay through in milliseconds, with no runAt', () => {
      expect(builder.build('t', [], { delay: 5000 })).toMatchObject({ delay: 5000, runAt: 0 });
    });

    it('rounds a fractional delay up', () => {
      expect(builder.build('t', [], { delay: 0.4 }).delay).toBe(1);
    });

    it('turns runAt into epoch milliseconds, with no delay', () => {
      const runAt = new Date('2030-01-02T03:04:05.678Z');
      expect(builder.build('t', [], { runAt })).toMatchObject({
        delay: 0,
        runAt: runAt.getTime(),
      });
    });

    it.each<[string, unknown, string]>([
      ['a negative delay', { delay: -1 }, 'delay'],
      ['a NaN delay', { delay: NaN }, 'delay'],
      ['a delay given as a string', { delay: '5s' }, 'delay'],
      ['delay and runAt together', { delay: 10, runAt: new Date() }, 'runAt'],
      ['an invalid Date', { runAt: new Date('not a date') }, 'runAt'],
      ['runAt given as a number', { runAt: Date.now() }, 'runAt'],
      ['runAt given as an ISO string', { runAt: '2030-01-01T00:00:00Z' }, 'runAt'],
      ['a delay Redis cannot store (1e19 ms)', { delay: 1e19 }, 'delay'],
      ['a runAt in the year 275000', { runAt: new Date(8.6e15) }, 'runAt'],
      ['a uniqueFor Redis cannot store', { unique: true, uniqueFor: 1e14 }, 'uniqueFor'],
    ])('rejects %s', (_what, options, field) => {
      expect(catchInvalidOptions(() => builder.build('t', [], untyped(options))).field).toBe(field);
    });
  });

  describe('duplicate policies', () => {
    const builder = builderWith();

    it('answers a generated id found taken with its holder (its own call, sent again)', () => {
      expect(builder.build('t', []).onDuplicate).toBe('return-matching');
    });

    it("keeps 'error' for custom ids and unique tasks unless told otherwise", () => {
      expect(builder.build('t', [], { id: 'x' }).onDuplicate).toBe('error');
      expect(builder.build('t', [], { unique: true }).onDuplicate).toBe('error');
      const retry = { id: 'x', onDuplicate: 'return-matching' } as const;
      expect(builder.build('t', [], retry).onDuplicate).toBe('return-matching');
    });

    it.each<unknown>(['return-matching ', 'Return-Matching', 'matching', 0, null, false])(
      'refuses onDuplicate %p with InvalidOptionsError',
      (onDuplicate) => {
        const error = catchInvalidOptions(() =>
          builder.build('t', [], untyped({ id: 'x', onDuplicate })),
        );
        expect(error.field).toBe('onDuplicate');
      },
    );
  });

  describe('unique tasks', () => {
    it('keeps the record at least uniqueFor, so the id stays taken that long', () => {
      const builder = builderWith();
      const shortLived = { unique: true, uniqueFor: 60_000, resultTtl: 0 };
      expect(builder.build('t', [], shortLived).resultTtl).toBe(60_000);
      const longLived = { unique: true, uniqueFor: 60_000, resultTtl: 120_000 };
      expect(builder.build('t', [], longLived).resultTtl).toBe(120_000);
    });
  });

  describe('custom ids', () => {
    const builder = builderWith();

    it('keeps a custom id', () => {
      expect(builder.build('t', [], { id: 'order-42:confirm' }).id).toBe('order-42:confirm');
    });

    it('accepts a custom id of 200 characters', () => {
      expect(builder.build('t', [], { id: 'x'.repeat(200) }).id).toHaveLength(200);
    });

    it.each<[string, unknown]>([
      ['containing a space', 'order 42'],
      ['containing a tab', 'order\t42'],
      ['containing a newline', 'order\n42'],
      ['containing a control character', 'order\u000042'],
      ['containing DEL', 'order\u007f42'],
      ['longer than 200 characters', 'x'.repeat(201)],
      ['that is empty', ''],
      ['that is not a string', 42],
    ])('rejects an id %s', (_what, id) => {
      expect(catchInvalidOptions(() => builder.build('t', [], untyped({ id }))).field).toBe('id');
    });
  });

  describe('arguments and metadata', () => {
    const builder = builderWith();

    it.each<[string, unknown]>([
      ['a string', 'a@b.c'],
      ['an object', { 0: 'a' }],
      ['null', null],
    ])('rejects args that are %s instead of an array', (_what, args) => {
      expect(catchInvalidOptions(() => builder.build('t', args)).field).toBe('args');
    });

    it('rejects arguments that cannot be serialised, naming their path', () => {
      const action = () => builder.build('t', ['ok', { when: new Date() }]);
      expect(action).toThrow(SerializationError);
      expect(action).toThrow(/args\[1\]\.when/);
    });

    it('serialises metadata', () => {
      const message = builder.build('t', [], { metadata: { tenant: 'acme', tags: ['x'] } });
      expect(JSON.parse(message.metadata)).toEqual({ tenant: 'acme', tags: ['x'] });
    });

    it.each<[string, unknown]>([
      ['an array', ['a']],
      ['a string', 'tenant=acme'],
      ['a Map', new Map([['tenant', 'acme']])],
      ['null', null],
    ])('rejects metadata that is %s instead of a plain object', (_what, metadata) => {
      expect(catchInvalidOptions(() => builder.build('t', [], untyped({ metadata }))).field).toBe(
        'metadata',
      );
    });

    it('rejects metadata values that cannot be serialised, naming their path', () => {
      const action = () => builder.build('t', [], { metadata: { retryAfter: BigInt(5) } });
      expect(action).toThrow(SerializationError);
      expect(action).toThrow(/metadata\.retryAfter/);
    });

    it('uses the serializer given in the module options', () => {
      const serializer = {
        serialize: (value: unknown) => `custom:${JSON.stringify(value)}`,
        deserialize: (text: string) => JSON.parse(text.slice('custom:'.length)),
      };
      const message = builderWith({ serializer }).build('t', [1], { metadata: { a: 1 } });
      expect(message.args).toBe('custom:[1]');
      expect(message.metadata).toBe('custom:{"a":1}');
    });
  });

  describe('option validation', () => {
    const builder = builderWith();

    it.each<[string, unknown, string]>([
      ['an unknown option key', { retires: 2 }, 'retires'],
      ['negative retries', { retries: -1 }, 'retries'],
      ['a queue name with :', { queue: 'a:b' }, 'queue'],
      ['a fractional priority', { priority: 1.5 }, 'priority'],
      ['a zero timeout', { timeout: 0 }, 'timeout'],
      ['a backoff with an unknown type', { backoff: { type: 'random', delay: 1 } }, 'backoff.type'],
    ])('rejects %s, naming the field', (_what, options, field) => {
      expect(catchInvalidOptions(() => builder.build('t', [], untyped(options))).field).toBe(field);
    });

    it('rejects options that are not an object', () => {
      expect(() => builder.build('t', [], untyped('urgent'))).toThrow(InvalidOptionsError);
    });

    it.each<[string, unknown]>([
      ['empty', ''],
      ['containing :', 'email:send'],
      ['containing {', '{email}'],
      ['not a string', 42],
    ])('rejects a task name that is %s', (_what, name) => {
      expect(catchInvalidOptions(() => builder.build(name as string, [])).field).toBe('task');
    });
  });

  describe('strict mode', () => {
    it('allows an unknown task name when strict is off (the handler may live elsewhere)', () => {
      expect(builderWith().build('elsewhere.task', []).name).toBe('elsewhere.task');
    });

    it('rejects an unregistered task name with UnknownTaskError when strict is on', () => {
      const builder = builderWith({ strict: true });
      expect(() => builder.build('elsewhere.task', [])).toThrow(UnknownTaskError);
      expect(() => builder.build('elsewhere.task', [])).toThrow(/elsewhere\.task/);
    });

    it('accepts a registered task name when strict is on', () => {
      const builder = builderWith({ strict: true }, { 'email.send': {} });
      expect(builder.build('email.send', []).name).toBe('email.send');
    });

    it('accepts a name with declared options when strict is on', () => {
      const builder = builderWith({ strict: true });
      expect(builder.build('email.send', [], {}, { queue: 'emails' }).queue).toBe('emails');
    });
  });
});
