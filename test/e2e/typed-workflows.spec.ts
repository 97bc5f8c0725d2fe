import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  InvalidOptionsError,
  NonRetryableError,
  QueueModule,
  Task,
  TaskFailedError,
  TaskNotFoundError,
  TaskStatus,
  UnknownTaskError,
  taskCall,
  taskContext,
} from '../../lib';
import { failureOf } from '../support/failures';
import { TaskRouter } from '../../lib/broker/task-router';
import { rawRedis, testRedisUrl, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

interface Invoice {
  order: string;
  total: number;
}

@Injectable()
class InvoiceTasks {
  @Task({ name: 'invoice.create', queue: 'invoices' })
  async create(order: string): Promise<Invoice> {
    return { order, total: order.length };
  }

  @Task({ name: 'invoice.render', queue: 'invoices' })
  async render(): Promise<string> {
    const invoice = taskContext<Invoice>().previous;
    return `${invoice.order}: ${invoice.total}`;
  }

  @Task({ name: 'invoice.sum', queue: 'invoices' })
  async sum(): Promise<number> {
    return taskContext<Invoice[]>().previous.reduce((total, invoice) => total + invoice.total, 0);
  }

  @Task({ name: 'invoice.refuse', queue: 'invoices' })
  async refuse(): Promise<never> {
    throw new NonRetryableError('no such order.');
  }

  @Task({ name: 'invoice.count', queue: 'invoices' })
  async count(): Promise<number> {
    return taskContext().previous === undefined ? 42 : -1;
  }

  async notATask(): Promise<void> {}
}

describe('tasks by class and method in every form', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp([InvoiceTasks]);
  });
  afterEach(() => app.close());

  it('enqueues a method without parameters without an arguments list', async () => {
    const plain = await app.queue.enqueue(InvoiceTasks, 'count');
    const withOptions = await app.queue.enqueue(InvoiceTasks, 'count', undefined, { priority: 1 });
    await expect(app.queue.allResults([plain, withOptions], { timeout: 5000 })).resolves.toEqual([
      42, 42,
    ]);
  });

  it('runs taskCall() requests in enqueueMany, a group, a chain and a chord', async () => {
    const [created] = await app.queue.enqueueMany([taskCall(InvoiceTasks, 'create', ['o-1'])]);
    await expect(created.result({ timeout: 5000 })).resolves.toEqual({ order: 'o-1', total: 3 });
    const group = await app.queue.group([
      taskCall(InvoiceTasks, 'create', ['a']),
      { task: 'invoice.create', args: ['bb'] },
    ]);
    await expect(group.results({ timeout: 5000 })).resolves.toEqual([
      { order: 'a', total: 1 },
      { order: 'bb', total: 2 },
    ]);
    const chain = await app.queue.chain([
      taskCall(InvoiceTasks, 'create', ['o-42']),
      taskCall(InvoiceTasks, 'render'),
    ]);
    await expect(chain.result({ timeout: 5000 })).resolves.toBe('o-42: 4');
    const chord = await app.queue.chord(
      ['a', 'bb', 'ccc'].map((order) => taskCall(InvoiceTasks, 'create', [order])),
      taskCall(InvoiceTasks, 'sum'),
    );
    await expect(chord.result({ timeout: 5000 })).resolves.toBe(6);
  });

  it('refuses a method without @Task in a workflow, writing nothing', async () => {
    const call = { task: InvoiceTasks, method: 'notATask' };
    await expect(app.queue.chain([call])).rejects.toBeInstanceOf(UnknownTaskError);
    await expect(app.queue.enqueueMany([call])).rejects.toThrow('add @Task() to it');
    expect(await app.queue.queues()).toEqual([]);
  });

  it('holds a misspelled name for a worker that has its handler instead of failing it', async () => {
    const handle = await app.queue.enqueue('invoice.creat', ['o-1'], { queue: 'invoices' });
    while ((await app.queue.stats('invoices')).held === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await app.queue.stats('invoices')).toMatchObject({ waiting: 1, held: 1 });
    expect((await handle.status()).status).toBe(TaskStatus.SUBMITTED);
  });

  it('gives a typed handle on an id, and refuses one for a method that is no task', async () => {
    const { id } = await app.queue.enqueue(InvoiceTasks, 'create', ['o-7']);
    const handle = app.queue.handle(InvoiceTasks, 'create', id);
    await expect(handle.result({ timeout: 5000 })).resolves.toEqual({ order: 'o-7', total: 3 });
    expect(() => app.queue.handle(InvoiceTasks, 'notATask' as 'create', id)).toThrow(
      UnknownTaskError,
    );
  });
});

describe('finding a chain or a chord again from its id', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp([InvoiceTasks]);
  });
  afterEach(() => app.close());

  it('follows a chain found by id from another app, to its last step', async () => {
    const chain = await app.queue.chain([
      taskCall(InvoiceTasks, 'create', ['o-9']),
      taskCall(InvoiceTasks, 'render'),
    ]);
    const producer = await createTestApp([], { prefix: app.prefix, worker: { enabled: false } });
    const found = await producer.queue.findChain<string>(chain.id);
    expect(found.id).toBe(chain.id);
    expect(found.steps.map((step) => step.id)).toEqual(chain.steps.map((step) => step.id));
    await expect(found.result({ timeout: 5000 })).resolves.toBe('o-9: 3');
    expect((await found.steps[0].status()).status).toBe(TaskStatus.SUCCEEDED);
    await producer.close();
  });

  it("finds a chain whose first step's record expired before the others", async () => {
    const chain = await app.queue.chain([
      taskCall(InvoiceTasks, 'create', ['o-1'], { resultTtl: 0 }),
      taskCall(InvoiceTasks, 'render'),
    ]);
    await chain.result({ timeout: 5000 });
    expect((await chain.steps[0].status()).status).toBe(TaskStatus.UNKNOWN);
    const found = await app.queue.findChain(chain.id);
    expect(found.steps).toHaveLength(2);
    await expect(found.result()).resolves.toBe('o-1: 3');
  });

  it('finds a chord by id, and says why a stopped chain step never ran', async () => {
    const chord = await app.queue.chord(
      [taskCall(InvoiceTasks, 'create', ['a']), taskCall(InvoiceTasks, 'refuse')],
      taskCall(InvoiceTasks, 'sum'),
    );
    const found = await app.queue.findChord(chord.id);
    expect(found.parts.map((part) => part.id)).toEqual(chord.parts.map((part) => part.id));
    expect(found.callback.id).toBe(chord.callback.id);
    const failure = await failureOf(found.callback);
    expect(failure.message).toMatch(/did not run: ChordPartFailedError: part .* no such order\./);
    expect(failure.message).toContain('enqueue the whole chord again');

    const chain = await app.queue.chain([
      taskCall(InvoiceTasks, 'refuse'),
      taskCall(InvoiceTasks, 'render'),
    ]);
    const stopped = await failureOf((await app.queue.findChain(chain.id)).steps[1]);
    expect(stopped).toBeInstanceOf(TaskFailedError);
    expect(stopped.message).toContain('did not run: ChainStoppedError');
    expect(stopped.message).toContain('enqueue the whole chain again');
    expect(stopped.message).not.toContain('..');
  });

  it('rejects with TaskNotFoundError for an id that is no chain or chord', async () => {
    const task = await app.queue.enqueue('invoice.create', ['x'], { id: 'plain-1' });
    await task.result({ timeout: 5000 });
    await expect(app.queue.findChain('plain')).rejects.toBeInstanceOf(TaskNotFoundError);
    await expect(app.queue.findChain('nothing')).rejects.toThrow('No chain with id "nothing"');
    await expect(app.queue.findChord('nothing')).rejects.toThrow('No chord with id "nothing"');
    await expect(app.queue.findChain('')).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('keeps the chain length on each step in a few bytes', async () => {
    const chain = await app.queue.chain([{ task: 'invoice.create', args: ['z'] }]);
    const redis = rawRedis();
    const step = chain.steps[0];
    const key = app.app
      .get(TaskRouter)
      .slotFor(step.queue ?? 'default', step.id)
      .task(step.id);
    const field = await redis.hget(key, 'ns');
    expect(field).toBe('1');
    redis.disconnect();
  });
});

describe('forRootAsync at run time', () => {
  it("refuses a factory's unknown key (the types refuse it too) with InvalidOptionsError", async () => {
    const building = Test.createTestingModule({
      imports: [
        QueueModule.forRootAsync({
          useFactory: () =>
            ({ connection: testRedisUrl(), prefix: uniquePrefix(), wokrer: {} }) as never,
        }),
      ],
    }).compile();
    await expect(building).rejects.toMatchObject({
      name: 'InvalidOptionsError',
      field: 'wokrer',
    });
  });
});
