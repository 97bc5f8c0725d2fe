import { Injectable } from '@nestjs/common';
import { EnqueueOptions, InvalidOptionsError, QueueService, Task } from '../../lib';
import { dataOf, rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class Echo {
  @Task({ name: 'debounce.input', queue: 'debounced' })
  echo(n: number): number {
    return n;
  }
}

const burst = { id: 'user-1', delayMs: 1_000 };
/** Options as a caller without types may pass them. */
const untyped = (options: unknown) => options as EnqueueOptions;

describe('bad debounce input: InvalidOptionsError, nothing written', () => {
  const redis = rawRedis();
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp([Echo], { worker: { enabled: false } });
  });
  afterAll(async () => {
    await app.close();
    redis.disconnect();
  });

  /** The error `call` rejects with, after checking that it wrote nothing under the prefix. */
  async function refused(call: (queue: QueueService) => Promise<unknown>): Promise<unknown> {
    const before = await dataOf(redis, app.prefix);
    const error = await call(app.queue).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(await dataOf(redis, app.prefix)).toEqual(before);
    expect(await app.queue.queues()).toEqual([]);
    return error;
  }

  it.each([
    ['not an object', 'x', 'debounce'],
    ['null', null, 'debounce'],
    ['an unknown key', { ...burst, maxDelay: 5 }, 'debounce.maxDelay'],
    ['no id', { delayMs: 1_000 }, 'debounce.id'],
    ['an empty id', { ...burst, id: '' }, 'debounce.id'],
    ['an id with whitespace', { ...burst, id: 'user 1' }, 'debounce.id'],
    ['an id that is no string', { ...burst, id: 42 }, 'debounce.id'],
    ['no delayMs', { id: 'user-1' }, 'debounce.delayMs'],
    ['a delayMs of 0', { ...burst, delayMs: 0 }, 'debounce.delayMs'],
    ['a negative delayMs', { ...burst, delayMs: -5 }, 'debounce.delayMs'],
    ['a fractional delayMs', { ...burst, delayMs: 1.5 }, 'debounce.delayMs'],
    ['a delayMs given as text', { ...burst, delayMs: '1000' }, 'debounce.delayMs'],
    ['a maxDelayMs below delayMs', { ...burst, maxDelayMs: 999 }, 'debounce.maxDelayMs'],
    ['a maxDelayMs of 0', { ...burst, maxDelayMs: 0 }, 'debounce.maxDelayMs'],
    ['a fractional maxDelayMs', { ...burst, maxDelayMs: 1_000.5 }, 'debounce.maxDelayMs'],
  ])('refuses a debounce with %s', async (_what, debounce, field) => {
    const error = await refused((queue) =>
      queue.enqueue('debounce.input', [1], untyped({ debounce })),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).field).toBe(field);
  });

  it.each([
    ['a custom id', { id: 'order-1' }, /with id: .*debounce\.id/],
    ['unique', { unique: true }, /with unique/],
    ['delay', { delay: 500 }, /with delay: .*debounce\.delayMs/],
    ['runAt', { runAt: new Date(Date.now() + 60_000) }, /with runAt: .*debounce\.delayMs/],
  ])('refuses debounce together with %s, saying what to use', async (_what, options, message) => {
    const error = await refused((queue) =>
      queue.enqueue('debounce.input', [1], { ...options, debounce: burst }),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).field).toBe('debounce');
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a debounce by class and method too', async () => {
    const error = await refused((queue) =>
      queue.enqueue(Echo, 'echo', [1], untyped({ debounce: { id: 'x' } })),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).field).toBe('debounce.delayMs');
  });

  const request = (options: EnqueueOptions = {}) => ({
    task: 'debounce.input',
    args: [1],
    options,
  });

  it.each<[string, (queue: QueueService) => Promise<unknown>, string]>([
    [
      'enqueueMany',
      (queue) => queue.enqueueMany([request(), request({ debounce: burst })]),
      'requests[1].options.debounce',
    ],
    [
      'a group',
      (queue) => queue.group([request({ debounce: burst })]),
      'requests[0].options.debounce',
    ],
    [
      'a chain',
      (queue) => queue.chain([request(), request({ debounce: burst })]),
      'steps[1].options.debounce',
    ],
    [
      'a chord part',
      (queue) => queue.chord([request({ debounce: burst })], request()),
      'parts[0].options.debounce',
    ],
    [
      'a chord callback',
      (queue) => queue.chord([request()], request({ debounce: burst })),
      'callback.options.debounce',
    ],
    [
      'a schedule',
      (queue) => queue.schedule('debounce.input', untyped({ every: 1_000, debounce: burst })),
      'debounce',
    ],
  ])('refuses a debounce in %s', async (_what, call, field) => {
    const error = await refused(call);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).field).toBe(field);
  });
});
