import { InvalidOptionsError, MessageAlreadyExistsError, TaskStatus } from '../../lib';
import { newTask, testBroker } from '../support/broker';
import { dataKeysOf, keyLayoutInTests, rawRedis, taskIdsOf } from '../support/redis';
import { taskKey } from '../support/task-keys';
import { createTestApp, TestApp } from '../support/test-app';

const matching = { onDuplicate: 'return-matching' } as const;

/** The retry after a ConnectionError: `onDuplicate: 'return-matching'`. */
describe("enqueue with onDuplicate: 'return-matching'", () => {
  let app: TestApp;
  const redis = rawRedis();
  beforeEach(async () => (app = await createTestApp([], { worker: { enabled: false } })));
  afterEach(() => app.close());
  afterAll(() => redis.disconnect());

  const records = () => taskIdsOf(redis, app.prefix, 'mail');

  it('returns the task that holds the id when it is the same task, and writes nothing', async () => {
    const options = { id: 'order-1', queue: 'mail' };
    const first = await app.queue.enqueue('mail.send', ['a@b.c', { n: 1 }], options);
    const again = await app.queue.enqueue('mail.send', ['a@b.c', { n: 1 }], {
      ...options,
      ...matching,
    });
    expect(again.id).toBe(first.id);
    expect((await again.status())?.status).toBe(TaskStatus.SUBMITTED);
    expect(await records()).toEqual(['order-1']);
    // The default is unchanged: an id that exists throws, even for the same task.
    await expect(app.queue.enqueue('mail.send', ['a@b.c', { n: 1 }], options)).rejects.toThrow(
      MessageAlreadyExistsError,
    );
  });

  it('refuses a task of another name, queue or arguments, saying what differs', async () => {
    await app.queue.enqueue('mail.send', ['a@b.c'], { id: 'order-2', queue: 'mail' });
    const cases: [string, unknown[], string, string[]][] = [
      ['mail.send', ['x@y.z'], 'mail', ['arguments']],
      ['mail.other', ['a@b.c'], 'mail', ['task name']],
    ];
    // A custom id is unique per prefix in the 'prefix' layout, per queue in the 'queue' layout.
    const otherQueue: typeof cases = [
      ['mail.send', ['a@b.c'], 'other', ['queue']],
      ['mail.other', [], 'other', ['task name', 'queue', 'arguments']],
    ];
    if (keyLayoutInTests() === 'prefix') cases.push(...otherQueue);
    for (const [task, args, queue, differences] of cases) {
      const error = await app.queue
        .enqueue(task, args, { id: 'order-2', queue, ...matching })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessageAlreadyExistsError);
      expect((error as MessageAlreadyExistsError).differences).toEqual(differences);
      expect((error as MessageAlreadyExistsError).message).toContain(differences.join(', '));
    }
    if (keyLayoutInTests() === 'queue') {
      // The same id in another queue is another task there, written next to the first.
      const elsewhere = await app.queue.enqueue('mail.send', ['a@b.c'], {
        id: 'order-2',
        queue: 'other',
        ...matching,
      });
      expect([elsewhere.id, elsewhere.queue]).toEqual(['order-2', 'other']);
      expect(await taskIdsOf(redis, app.prefix, 'other')).toEqual(['order-2']);
    } else {
      expect(await taskIdsOf(redis, app.prefix, 'other')).toEqual([]);
    }
    expect(await records()).toEqual(['order-2']);
    expect(await redis.hget(taskKey(app, 'mail', 'order-2'), 'd')).toBe('["a@b.c"]');
  });

  it('compares enqueues of one turn that share an id with the first of them', async () => {
    const [first, same, other] = await Promise.allSettled([
      app.queue.enqueue('mail.send', [1], { id: 'turn', queue: 'mail', ...matching }),
      app.queue.enqueue('mail.send', [1], { id: 'turn', queue: 'mail', ...matching }),
      app.queue.enqueue('mail.send', [2], { id: 'turn', queue: 'mail', ...matching }),
    ]);
    expect(first.status === 'fulfilled' && first.value.id).toBe('turn');
    expect(same.status === 'fulfilled' && same.value.id).toBe('turn');
    expect(other.status === 'rejected' && other.reason).toBeInstanceOf(MessageAlreadyExistsError);
    expect(await records()).toEqual(['turn']);
  });

  it('enqueueMany: returns matching holders, and writes nothing when one differs', async () => {
    await app.queue.enqueue('mail.send', [1], { id: 'many-1', queue: 'mail' });
    const batch = (firstArgs: unknown[]) =>
      app.queue.enqueueMany([
        {
          task: 'mail.send',
          args: firstArgs,
          options: { id: 'many-1', queue: 'mail', ...matching },
        },
        { task: 'mail.send', args: [2], options: { id: 'many-2', queue: 'mail', ...matching } },
      ]);
    const refused = await batch([9]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MessageAlreadyExistsError);
    expect((refused as MessageAlreadyExistsError).differences).toEqual(['arguments']);
    expect(await records()).toEqual(['many-1']);
    const handles = await batch([1]);
    expect(handles.map((h) => h.id)).toEqual(['many-1', 'many-2']);
    expect((await records()).sort()).toEqual(['many-1', 'many-2']);
    // Retried once more, the whole batch is found, not written again.
    expect((await batch([1])).map((h) => h.id)).toEqual(['many-1', 'many-2']);
    expect((await records()).length).toBe(2);
  });

  it('rejects any other onDuplicate value with InvalidOptionsError, writing nothing', async () => {
    const before = await dataKeysOf(redis, app.prefix);
    for (const onDuplicate of ['return-matching ', 'RETURN-MATCHING', 'matching', 1, null, {}]) {
      const options = { id: 'bad', onDuplicate } as never;
      const error = await app.queue.enqueue('mail.send', [], options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).message).toContain("'return-matching'");
      await expect(app.queue.enqueueMany([{ task: 'mail.send', options }])).rejects.toBeInstanceOf(
        InvalidOptionsError,
      );
    }
    expect(await dataKeysOf(redis, app.prefix)).toEqual(before);
  });
});

/**
 * ioredis sends an unanswered call again after a reconnect; when its first send was written
 * (the reply was lost), the second must answer like the first, not with "id taken".
 */
describe('an enqueue call sent twice', () => {
  const { broker, redis } = testBroker();
  afterAll(() => redis.disconnect());

  it('answers a task with a generated id with that task', async () => {
    const task = {
      ...newTask(broker, 'generated-1', 'q'),
      onDuplicate: 'return-matching' as const,
    };
    expect(await broker.enqueue([task], false)).toEqual(['written']);
    expect(await broker.enqueue([task], false)).toEqual(['existing']);
    expect(await broker.enqueue([task], true)).toEqual(['existing']);
  });

  it('answers a chain or a chord as written', async () => {
    const steps = ['w-1', 'w-2'].map((id) => ({
      task: newTask(broker, id, 'q'),
      continueOnFailure: false,
    }));
    expect(await broker.enqueueChain(steps)).toBe(true);
    expect(await broker.enqueueChain(steps)).toBe(true);
    const parts = [newTask(broker, 'k-1', 'q'), newTask(broker, 'k-2', 'q')];
    expect(await broker.enqueueChord(parts, newTask(broker, 'k-callback', 'q'))).toBe(true);
    expect(await broker.enqueueChord(parts, newTask(broker, 'k-callback', 'q'))).toBe(true);
    // Another chain whose first id is taken by a task of another definition is refused.
    const clash = [{ task: newTask(broker, 'w-1', 'q', 'other'), continueOnFailure: false }];
    expect(await broker.enqueueChain(clash)).toBe(false);
  });
});
