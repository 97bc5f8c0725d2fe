import { Injectable } from '@nestjs/common';
import { firstValueFrom, filter } from 'rxjs';
import { InvalidOptionsError, Task, UnknownTaskError, WorkerEvent } from '../../lib';
import { KeyBuilder } from '../../lib/broker/keys';
import { RecordingLogger } from '../support/recording-logger';
import { keyLayoutInTests, rawRedis, uniquePrefix } from '../support/redis';
import { appsClosedAfterEach, producerOptions } from '../support/test-app';

let failures = 0;

@Injectable()
class MailTasks {
  @Task({ name: 'catalog.send', queue: 'catalog-mail', retries: 2, backoff: 10 })
  async send(to: string): Promise<string> {
    return `sent to ${to}`;
  }

  @Task({ name: 'catalog.flaky', queue: 'catalog-mail', retries: 1, backoff: 10 })
  async flaky(): Promise<string> {
    failures++;
    if (failures === 1) throw new Error('first run fails');
    return 'second run';
  }

  @Task({ name: 'catalog.account', queue: 'catalog-mail', lock: (id: string) => `acct-${id}` })
  async account(id: string): Promise<string> {
    return id;
  }
}

@Injectable()
class MovedTasksOld {
  @Task({ name: 'catalog.moved', queue: 'catalog-old' })
  async run(): Promise<string> {
    return 'old';
  }
}

@Injectable()
class MovedTasksNew {
  @Task({ name: 'catalog.moved', queue: 'catalog-new' })
  async run(): Promise<string> {
    return 'new';
  }
}

describe('task catalog: producers without the handler', () => {
  const open = appsClosedAfterEach();

  it('routes a task enqueued by name to the queue and options its handler app published', async () => {
    const prefix = uniquePrefix();
    await open([MailTasks], { prefix });
    const producer = await open([], producerOptions(prefix));

    const handle = await producer.queue.enqueue('catalog.send', ['ada@example.com']);
    expect(await handle.result({ timeout: 10_000 })).toBe('sent to ada@example.com');
    expect((await handle.status()).queue).toBe('catalog-mail');

    // The handler's retries travel too: the first run fails, the retry succeeds.
    failures = 0;
    const flaky = await producer.queue.enqueue('catalog.flaky', []);
    expect(await flaky.result({ timeout: 10_000 })).toBe('second run');
    expect((await flaky.status()).attempt).toBe(2);
  });

  it('routes chains and batches by the catalog too', async () => {
    const prefix = uniquePrefix();
    await open([MailTasks], { prefix });
    const producer = await open([], producerOptions(prefix));
    const [a, b] = await producer.queue.enqueueMany([
      { task: 'catalog.send', args: ['a'] },
      { task: 'catalog.send', args: ['b'] },
    ]);
    const chain = await producer.queue.chain([{ task: 'catalog.send', args: ['c'] }]);
    expect(await Promise.all([a.result(), b.result(), chain.result()])).toEqual([
      'sent to a',
      'sent to b',
      'sent to c',
    ]);
    expect((await a.status()).queue).toBe('catalog-mail');
  });

  it('follows a handler app that starts after the producer, once the producer asks again', async () => {
    const prefix = uniquePrefix();
    const producer = await open([], producerOptions(prefix));
    const early = await producer.queue.enqueue('catalog.moved', []);
    expect((await early.status()).queue).toBe('default');
    await open([MovedTasksNew], { prefix });
    // A name found nowhere is asked about again a second later, not at every enqueue.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const late = await producer.queue.enqueue('catalog.moved', []);
    expect(await late.result({ timeout: 10_000 })).toBe('new');
    expect((await late.status()).queue).toBe('catalog-new');
  });

  it('in strict mode accepts published names and refuses names found nowhere', async () => {
    const prefix = uniquePrefix();
    await open([MailTasks], { prefix });
    const producer = await open([], producerOptions(prefix, true));
    const handle = await producer.queue.enqueue('catalog.send', ['x']);
    expect(await handle.result({ timeout: 10_000 })).toBe('sent to x');

    const refused = await producer.queue.enqueue('catalog.nowhere', []).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnknownTaskError);
    expect((refused as Error).message).toContain('task catalog');
    expect(await producer.queue.queues()).not.toContainEqual(
      expect.objectContaining({ queue: 'default' }),
    );
  });

  it('asks for the lock of a task whose handler computes it from the arguments', async () => {
    // Task locks need one slot for the prefix (see gates.spec.ts).
    const prefix = uniquePrefix();
    await open([MailTasks], { prefix, keyLayout: 'prefix' });
    const producer = await open([], { ...producerOptions(prefix), keyLayout: 'prefix' });
    const refused = await producer.queue.enqueue('catalog.account', ['7']).catch((e) => e);
    expect(refused).toBeInstanceOf(InvalidOptionsError);
    expect((refused as Error).message).toMatch(/lock.*MailTasks\.account/s);

    const handle = await producer.queue.enqueue('catalog.account', ['7'], { lock: 'acct-7' });
    expect(await handle.result({ timeout: 10_000 })).toBe('7');
  });

  it('warns when two apps publish one task differently, and the last one wins', async () => {
    const prefix = uniquePrefix();
    const logger = new RecordingLogger();
    await open([MovedTasksOld], { prefix });
    await open([MovedTasksNew], { prefix }, logger);
    const warning = logger
      .of('taskmill:TaskCatalog')
      .find((line) => line.level === 'warn' && line.message.includes('"catalog.moved"'));
    expect(warning?.message).toContain('catalog-new');
    expect(warning?.message).toContain('catalog-old');

    const producer = await open([], producerOptions(prefix));
    const handle = await producer.queue.enqueue('catalog.moved', []);
    expect(await handle.result({ timeout: 10_000 })).toBe('new');
    expect((await handle.status()).queue).toBe('catalog-new');
  });

  it('treats an entry it cannot read as absent (the default queue), and strict refuses it', async () => {
    const prefix = uniquePrefix();
    const redis = rawRedis();
    try {
      const key = new KeyBuilder(prefix, keyLayoutInTests()).family('catalog');
      await redis.hset(key, 'catalog.garbled', '{"options":{"queue":"a:b{c}"}}', 'catalog.x', '<');
    } finally {
      redis.disconnect();
    }
    const producer = await open([], producerOptions(prefix));
    const handle = await producer.queue.enqueue('catalog.garbled', []);
    expect((await handle.status()).queue).toBe('default');
    const strict = await open([], producerOptions(prefix, true));
    await expect(strict.queue.enqueue('catalog.x', [])).rejects.toBeInstanceOf(UnknownTaskError);
  });

  it('warns once (log and events$) when it enqueues on a queue no live worker consumes', async () => {
    const prefix = uniquePrefix();
    await open([MailTasks], { prefix });
    const logger = new RecordingLogger();
    const producer = await open([], producerOptions(prefix), logger);
    const events: WorkerEvent[] = [];
    producer.worker.events$.subscribe((event) => events.push(event));
    const warned = firstValueFrom(
      producer.worker.events$.pipe(filter((event) => event.type === 'queue.unconsumed')),
    );

    // A consumed queue first: its check is answered before the next one's (one connection).
    await producer.queue.enqueue('catalog.send', ['y']);
    await producer.queue.enqueue('some.other', [], { queue: 'catalog-nobody' });
    await producer.queue.enqueue('some.other', [], { queue: 'catalog-nobody' });
    expect(await warned).toEqual({ type: 'queue.unconsumed', queue: 'catalog-nobody' });
    // Both checks are answered: a third enqueue's own round trip comes after them.
    await (await producer.queue.enqueue('catalog.send', ['z'])).result({ timeout: 10_000 });
    expect(events.filter((event) => event.type === 'queue.unconsumed')).toHaveLength(1);
    const lines = logger
      .of('taskmill:QueueService')
      .filter((line) => line.message.includes('no live worker consumes'));
    expect(lines).toHaveLength(1);
    expect(lines[0].message).toContain('"catalog-nobody"');
    expect((await producer.queue.stats('catalog-nobody')).waiting).toBe(1 + 1);
  });
});
