import { Redis } from 'ioredis';
import {
  ConnectionError,
  EnqueueRequest,
  MessageAlreadyExistsError,
  QueueService,
  TaskStatus,
} from '../../lib';
import { taskIdsOf, uniquePrefix } from '../support/redis';
import { RestartableRedis } from '../support/restartable-redis';
import { createTestApp, TestApp } from '../support/test-app';

const QUEUE = 'outcome';
const COMMAND_TIMEOUT_MS = 300;
const matching = { queue: QUEUE, onDuplicate: 'return-matching' } as const;

/** One call that wrote tasks and failed: how to make it again with the ids its error gave. */
interface FailedWrite {
  ids: readonly string[];
  /** undefined for workflows: their ids cannot be chosen, only looked up. */
  retry?: (ids: readonly string[]) => Promise<string[]>;
}

const single = (i: number): EnqueueRequest => ({ task: 'outcome.single', args: [i, { i }] });
const request = (task: string, i: number): EnqueueRequest => ({
  task,
  args: [i],
  options: { queue: QUEUE },
});

/** The error of a call that must fail: a ConnectionError naming `count` task ids. */
async function idsOfFailure(call: Promise<unknown>, count: number): Promise<readonly string[]> {
  const error = await call.then(
    () => new Error('the call succeeded while Redis did not answer'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectionError);
  const { taskIds, message } = error as ConnectionError;
  expect(taskIds).toHaveLength(count);
  expect(message).toContain('return-matching');
  return taskIds;
}

/**
 * Makes every kind of call that writes tasks while Redis does not answer, and waits until each
 * caller was told it failed. Returns what each call's error said.
 */
async function writesWhileUnreachable(queue: QueueService): Promise<FailedWrite[]> {
  const singles = Array.from({ length: 10 }, (_, i) => single(i));
  const custom = Array.from({ length: 5 }, (_, i) => ({ ...single(100 + i), id: `custom-${i}` }));
  const many = [1, 2, 3].map((i) => request('outcome.many', i));
  const calls: Promise<FailedWrite>[] = [
    ...singles.map(async ({ task, args }) => ({
      ids: await idsOfFailure(queue.enqueue(task, args, { queue: QUEUE }), 1),
      retry: async ([id]: readonly string[]) => [
        (await queue.enqueue(task, args, { ...matching, id })).id,
      ],
    })),
    ...custom.map(async ({ task, args, id }) => {
      const ids = await idsOfFailure(queue.enqueue(task, args, { queue: QUEUE, id }), 1);
      expect(ids).toEqual([id]);
      return {
        ids,
        retry: async () => [(await queue.enqueue(task, args, { ...matching, id })).id],
      };
    }),
    (async () => ({
      ids: await idsOfFailure(queue.enqueueMany(many), 3),
      retry: async (ids: readonly string[]) =>
        (
          await queue.enqueueMany(
            many.map((r, i) => ({ ...r, options: { ...matching, id: ids[i] } })),
          )
        ).map((h) => h.id),
    }))(),
    (async () => ({
      ids: await idsOfFailure(queue.chain([request('outcome.step', 1), { task: 'x' }]), 2),
    }))(),
    (async () => ({
      ids: await idsOfFailure(queue.group([request('outcome.part', 1), request('x', 2)]), 2),
    }))(),
    (async () => ({
      ids: await idsOfFailure(
        queue.chord([request('outcome.part', 1), request('x', 2)], request('outcome.sum', 0)),
        3,
      ),
    }))(),
  ];
  return Promise.all(calls);
}

/**
 * The fault of the NestJS trial: Redis stops answering for longer than commandTimeoutMs, then
 * comes back, and the calls ioredis held or sent again reach it. Every caller told "failed" must
 * find its tasks unwritten, and a retry with the ids from the error must write each exactly once.
 */
describe('enqueues whose callers were told they failed', () => {
  let redis: RestartableRedis;
  let app: TestApp;
  let raw: Redis;
  beforeAll(async () => (redis = await RestartableRedis.start()));
  beforeEach(async () => {
    app = await createTestApp([], {
      connection: redis.url,
      prefix: uniquePrefix(),
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      worker: { enabled: false },
    });
    raw = new Redis(redis.url);
  });
  afterEach(async () => {
    await app.close();
    raw.disconnect();
  });
  afterAll(() => redis.stop());

  const records = async () => (await taskIdsOf(raw, app.prefix, QUEUE)).sort();

  /**
   * Enqueued once Redis answers again (retried while it does not), on the same connection:
   * when it is written, every call sent before it has reached Redis.
   */
  const marker = async (): Promise<void> => {
    for (;;) {
      try {
        await app.queue.enqueue('outcome.marker', [], { ...matching, id: 'marker' });
        return;
      } catch (error) {
        if (!(error instanceof ConnectionError)) throw error;
      }
    }
  };

  /** The whole scenario, `fault` making Redis unreachable and `recover` bringing it back. */
  const scenario = async (
    fault: () => Promise<void> | void,
    recover: () => Promise<void> | void,
  ) => {
    const before = await app.queue.enqueue('outcome.before', [], { queue: QUEUE });
    await fault();
    const failed = await writesWhileUnreachable(app.queue);
    await recover();
    await marker();

    // Nothing the callers were told failed was written after all.
    const failedIds = failed.flatMap((write) => write.ids);
    expect(new Set(failedIds).size).toBe(failedIds.length);
    expect(await records()).toEqual([before.id, 'marker'].sort());
    for (const id of failedIds) {
      expect((await app.queue.handle(id).status()).status).toBe(TaskStatus.UNKNOWN);
    }

    // Retried with their ids, they are written once; retried again, the same tasks come back.
    const retried = failed.filter((write) => write.retry);
    for (const write of retried) expect(await write.retry?.(write.ids)).toEqual(write.ids);
    for (const write of retried) expect(await write.retry?.(write.ids)).toEqual(write.ids);
    const written = retried.flatMap((write) => write.ids);
    expect(await records()).toEqual([before.id, 'marker', ...written].sort());

    // The same id for another task is refused, saying what differs.
    const refused = await app.queue
      .enqueue('outcome.single', ['other'], { ...matching, id: written[0] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MessageAlreadyExistsError);
    expect((refused as MessageAlreadyExistsError).differences).toEqual(['arguments']);
  };

  it('Redis frozen (SIGSTOP), then thawed: the held calls write nothing', async () => {
    try {
      await scenario(
        () => redis.freeze(),
        () => redis.thaw(),
      );
    } finally {
      redis.thaw();
    }
  }, 30_000);

  it('a stream of enqueues across a freeze: retried with their ids, no task is duplicated', async () => {
    // The trial's shape: callers that keep enqueueing while Redis freezes and thaws. A call in
    // flight at the freeze may have been written with its reply held: the one window where
    // "failed" can mean written, which the retry with the id covers.
    const succeeded: string[] = [];
    const failed: { id: string; args: unknown[] }[] = [];
    let frozen = false;
    let thawed = false;
    const client = async (c: number) => {
      for (let i = 0; !thawed || succeeded.length < 150; i++) {
        const args = [c, i];
        try {
          succeeded.push((await app.queue.enqueue('outcome.post', args, { queue: QUEUE })).id);
        } catch (error) {
          if (!(error instanceof ConnectionError)) throw error;
          failed.push({ id: error.taskIds[0], args });
        }
        if (!frozen && succeeded.length >= 50) {
          frozen = true;
          redis.freeze();
        }
        if (frozen && !thawed && failed.length >= 20) {
          thawed = true;
          redis.thaw();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: 10 }, (_, c) => client(c)));
    } finally {
      redis.thaw();
    }
    await marker();
    for (const { id, args } of failed) {
      const retried = await app.queue.enqueue('outcome.post', args, { ...matching, id });
      expect(retried.id).toBe(id);
    }
    const ids = [...succeeded, ...failed.map((f) => f.id)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(await records()).toEqual([...ids, 'marker'].sort());
  }, 30_000);

  it('Redis killed, then restarted from its AOF: the calls ioredis sends again write nothing', async () => {
    await scenario(
      () => redis.kill(),
      () => redis.up(),
    );
  }, 30_000);
});
