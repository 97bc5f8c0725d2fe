import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom } from 'rxjs';
import { ConnectionError, QueueModuleOptions, ReplicationError, Task, TaskStatus } from '../../lib';
import { TASK_FIELDS } from '../../lib/broker/keys';
import { uniquePrefix } from '../support/redis';
import { waitFor } from '../support/redis-server-process';
import { ReplicatedRedis } from '../support/replicated-redis';
import { taskKey } from '../support/task-keys';
import { createTestApp, TestApp } from '../support/test-app';

const QUEUE = 'replicated';

@Injectable()
class Echo {
  @Task({ name: 'replicated.echo', queue: QUEUE })
  echo(value: string): string {
    return value;
  }
}

/**
 * `waitForReplicas` on a private primary with one replica: an enqueue is acknowledged only once
 * the replica has the task, and an outcome is the worker's done only once the replica has it.
 * Detaching the replica (REPLICAOF NO ONE) plays a replica that fell away.
 */
describe('waitForReplicas', () => {
  let redis: ReplicatedRedis;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    redis = await ReplicatedRedis.start();
  }, 30_000);

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await redis.attach();
  });

  afterAll(() => redis?.stop());

  async function app(
    options: QueueModuleOptions,
    providers: [typeof Echo] | [] = [],
  ): Promise<TestApp> {
    const started = await createTestApp(providers, {
      connection: redis.url,
      commandTimeoutMs: 2_000,
      ...options,
    });
    apps.push(started);
    return started;
  }

  const waiting = { waitForReplicas: { replicas: 1, timeoutMs: 200 } };
  const producerOnly = { worker: { enabled: false } };

  it('acknowledges an enqueue once the replica has the task', async () => {
    const producer = await app({ ...waiting, ...producerOnly });
    const handles = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        producer.queue.enqueue('replicated.echo', [`v${i}`], { queue: QUEUE }),
      ),
    );
    for (const handle of handles) {
      expect(await redis.replica.exists(taskKey(producer, QUEUE, handle.id))).toBe(1);
    }
  });

  it('fails an enqueue no replica confirmed with ReplicationError naming the task; enqueuing it again finds it', async () => {
    const producer = await app({ ...waiting, ...producerOnly });
    await redis.detach();
    const error = (await producer.queue
      .enqueue('replicated.echo', ['alone'], { queue: QUEUE, id: 'alone-1' })
      .catch((e: unknown) => e)) as ReplicationError;
    expect(error).toBeInstanceOf(ReplicationError);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ taskIds: ['alone-1'], acknowledged: 0, required: 1 });
    expect(error.message).toContain('only 0 of the 1 replicas');
    // The primary took it: the error says it may survive, and retrying finds it.
    const key = taskKey(producer, QUEUE, 'alone-1');
    expect(await redis.primary.exists(key)).toBe(1);
    await redis.attach();
    const again = await producer.queue.enqueue('replicated.echo', ['alone'], {
      queue: QUEUE,
      id: 'alone-1',
      onDuplicate: 'return-matching',
    });
    expect(again.id).toBe('alone-1');
    await waitFor(
      'for the replica to have the task',
      async () => (await redis.replica.exists(key)) === 1,
    );
  });

  it('keeps an outcome no replica confirmed and writes it again until one does', async () => {
    const prefix = uniquePrefix();
    const worker = await app({ ...waiting, prefix }, [Echo]);
    const producer = await app({ prefix, ...producerOnly });
    await redis.detach();
    const succeeded = firstValueFrom(
      worker.worker.events$.pipe(filter((event) => event.type === 'task.succeeded')),
    );
    let reported = false;
    void succeeded.then(() => (reported = true));
    const handle = await producer.queue.enqueue('replicated.echo', ['kept'], { queue: QUEUE });
    // The handler ran and the primary recorded the success...
    await waitFor(
      'for the primary to record the success',
      async () => (await handle.status()).status === TaskStatus.SUCCEEDED,
    );
    // ...but the worker holds the outcome while no replica has it: two more tries go by
    // (0.2 s, then 0.4 s apart), each refused by WAIT.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(reported).toBe(false);
    await redis.attach();
    await succeeded;
    const key = taskKey(producer, QUEUE, handle.id);
    expect(await redis.replica.hget(key, TASK_FIELDS.status)).toBe(
      await redis.primary.hget(key, TASK_FIELDS.status),
    );
    expect(await handle.result({ timeout: 2_000 })).toBe('kept');
  });
});
