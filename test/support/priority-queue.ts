import { Redis } from 'ioredis';
import { Broker } from '../../lib/broker/broker';
import { EnqueueOptions } from '../../lib';
import { rawRedis } from './redis';
import { createTestApp, TestApp } from './test-app';

/**
 * A producer-only app (no worker runs anything) for tests of priority management: tasks get
 * readable ids (`<queue>.<label>`), and claims are made by hand so their order can be read.
 */
export class PriorityQueueFixture {
  t!: TestApp;
  redis!: Redis;
  private queues = 0;

  async start(): Promise<void> {
    this.t = await createTestApp([], { worker: { enabled: false } });
    this.redis = rawRedis();
  }

  async stop(): Promise<void> {
    this.redis.disconnect();
    await this.t.close();
  }

  /** A queue no other test of the file uses. */
  newQueue(): string {
    return `q${++this.queues}`;
  }

  /** Enqueues `label` to `queue` at `priority`; returns its id. */
  async add(
    queue: string,
    label: string,
    priority: number,
    options: EnqueueOptions = {},
  ): Promise<string> {
    const handle = await this.t.queue.enqueue('x', [], {
      id: `${queue}.${label}`,
      queue,
      priority,
      ...options,
    });
    return handle.id;
  }

  /** Claims every ready task of `queue` as a worker would; returns their labels in order. */
  async claimAll(queue: string): Promise<string[]> {
    const broker = this.t.app.get(Broker);
    const [slot] = broker.router.slotsOf(queue);
    const { tasks } = await broker.settle(slot, [], {
      queues: [queue],
      count: 10_000,
      leaseMs: 60_000,
    });
    return tasks.map((task) => this.label(task.id));
  }

  /** The labels of the next ready tasks, as peek() lists them. */
  async peekLabels(queue: string, count = 1000): Promise<string[]> {
    return (await this.t.queue.peek(queue, count)).map((task) => this.label(task.id));
  }

  /** The queue of an id this fixture made (`<queue>.<label>`). */
  queueOf(id: string): string {
    return id.slice(0, id.indexOf('.'));
  }

  label(id: string): string {
    return id.slice(id.indexOf('.') + 1);
  }
}
