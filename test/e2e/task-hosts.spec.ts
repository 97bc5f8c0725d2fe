import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom } from 'rxjs';
import { Task, WorkerEvent } from '../../lib';
import { Broker } from '../../lib/broker/broker';
import { KeyBuilder } from '../../lib/broker/keys';
import { QueueConsumers } from '../../lib/catalog/queue-consumers';
import { RecordingLogger } from '../support/recording-logger';
import { keyLayoutInTests, rawRedis, uniquePrefix } from '../support/redis';
import { appsClosedAfterEach, producerOptions } from '../support/test-app';

/** The worker of a release that does not have `hosts.later` yet. */
@Injectable()
class OldTasks {
  @Task({ name: 'hosts.now', queue: 'hosts' })
  async now(): Promise<string> {
    return 'now';
  }
}

/** The release that adds `hosts.later`. */
@Injectable()
class NewTasks {
  @Task({ name: 'hosts.later', queue: 'hosts' })
  async later(n: number): Promise<string> {
    return `later ${n}`;
  }
}

const warnings = (events: WorkerEvent[]) =>
  events.filter((event) => event.type === 'task.unhosted' || event.type === 'queue.unconsumed');

describe('task names that no live worker of their queue hosts', () => {
  const open = appsClosedAfterEach();

  /** A producer-only app, its warnings recorded as events and log lines. */
  const producerOf = async (prefix: string) => {
    const logger = new RecordingLogger();
    const producer = await open([], producerOptions(prefix), logger);
    const events: WorkerEvent[] = [];
    producer.worker.events$.subscribe((event) => events.push(event));
    return { producer, logger, events };
  };

  it('warns once (log and events$), and the held tasks run once a worker with the handler starts', async () => {
    const prefix = uniquePrefix();
    await open([OldTasks], { prefix });
    const { producer, logger, events } = await producerOf(prefix);
    const warned = firstValueFrom(
      producer.worker.events$.pipe(filter((event) => event.type === 'task.unhosted')),
    );

    // A hosted name first: its check is answered before the next ones' (one connection).
    await producer.queue.enqueue('hosts.now', [], { queue: 'hosts' });
    const held = [
      await producer.queue.enqueue('hosts.later', [1], { queue: 'hosts' }),
      await producer.queue.enqueue('hosts.later', [2], { queue: 'hosts' }),
    ];
    // A queue without any worker: the other warning, not this one.
    await producer.queue.enqueue('hosts.later', [3], { queue: 'hosts-nobody' });
    expect(await warned).toEqual({ type: 'task.unhosted', queue: 'hosts', name: 'hosts.later' });
    // Every check is answered: this task's own round trips come after them.
    const now = await producer.queue.enqueue('hosts.now', [], { queue: 'hosts' });
    expect(await now.result({ timeout: 10_000 })).toBe('now');
    expect(warnings(events)).toEqual([
      { type: 'task.unhosted', queue: 'hosts', name: 'hosts.later' },
      { type: 'queue.unconsumed', queue: 'hosts-nobody' },
    ]);
    const lines = logger
      .of('taskmill:QueueService')
      .filter((line) => line.message.includes('no handler'));
    expect(lines).toHaveLength(1);
    expect(lines[0].message).toContain('"hosts.later"');
    expect(lines[0].message).toContain('"hosts"');

    await open([NewTasks], { prefix });
    expect(await Promise.all(held.map((handle) => handle.result({ timeout: 10_000 })))).toEqual([
      'later 1',
      'later 2',
    ]);

    // Hosted now: a producer that starts checking sees a worker with the handler.
    const fresh = await producerOf(prefix);
    const later = await fresh.producer.queue.enqueue('hosts.later', [4], { queue: 'hosts' });
    expect(await later.result({ timeout: 10_000 })).toBe('later 4');
    expect(warnings(fresh.events)).toEqual([]);
  });

  it('counts a worker that hosts any name, and stays silent about workers that publish no names', async () => {
    const prefix = uniquePrefix();
    const { producer, events } = await producerOf(prefix);
    // A worker without a subset of names ('*'), and one of a taskmill version that publishes
    // only the consumed mark.
    const endBeacon = producer.app.get(QueueConsumers).beacon(['hosts-any']);
    const redis = rawRedis();
    try {
      const keys = new KeyBuilder(prefix, keyLayoutInTests());
      await redis.set(keys.consumed('hosts-old'), '1', 'PX', 60_000);
      await producer.queue.enqueue('hosts.anything', [], { queue: 'hosts-any' });
      await producer.queue.enqueue('hosts.anything', [], { queue: 'hosts-old' });
      // Answered after both checks (one connection), and after the events they emit.
      const consumers = producer.app.get(Broker).consumers;
      expect(await consumers.hosting('hosts-any', 'hosts.else')).toBe('hosted');
      expect(await consumers.hosting('hosts-old', 'hosts.else')).toBe('hosted');
      expect(await consumers.hosting('hosts-none', 'hosts.else')).toBe('unconsumed');
      expect(warnings(events)).toEqual([]);
    } finally {
      endBeacon();
      redis.disconnect();
    }
  });

  it("drops a name from the queue's hosts once its worker's mark ended", async () => {
    const prefix = uniquePrefix();
    const producer = await open([], producerOptions(prefix));
    const consumers = producer.app.get(Broker).consumers;
    await consumers.mark(['hosts-q'], ['hosts.stays'], 60_000);
    // A worker whose mark ends at once: its name counts no longer, the other one's does.
    await consumers.mark(['hosts-q'], ['hosts.goes'], 1);
    while ((await consumers.hosting('hosts-q', 'hosts.goes')) === 'hosted');
    expect(await consumers.hosting('hosts-q', 'hosts.goes')).toBe('not-hosted');
    expect(await consumers.hosting('hosts-q', 'hosts.stays')).toBe('hosted');

    // The next mark of a live worker prunes it.
    await consumers.mark(['hosts-q'], ['hosts.stays'], 60_000);
    const redis = rawRedis();
    try {
      const key = new KeyBuilder(prefix, keyLayoutInTests()).hosts('hosts-q');
      expect(Object.keys(await redis.hgetall(key))).toEqual(['hosts.stays']);
      expect(await redis.pttl(key)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});
