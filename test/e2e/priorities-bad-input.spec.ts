import {
  InvalidOptionsError,
  TaskmillError,
  TooManyWaitingTasksError,
  UnknownQueueError,
} from '../../lib';
import { PriorityQueueFixture } from '../support/priority-queue';
import { QueueState, queueState } from '../support/queue-state';

type ErrorType = abstract new (...args: never[]) => TaskmillError;

describe('priority management: bad input', () => {
  const f = new PriorityQueueFixture();
  const q = 'kept';
  let before: QueueState;

  beforeAll(async () => {
    await f.start();
    await f.add(q, 'a', 0);
    await f.add(q, 'b', 3);
    await f.add(q, 'c', 3);
    await f.add(q, 'later', 5, { delay: 60_000 });
    before = await queueState(f.redis, f.t, q);
  });
  afterAll(() => f.stop());

  const id = `${q}.a`;
  const never = (value: unknown) => value as never;

  it.each<[string, () => Promise<unknown>, ErrorType]>([
    [
      'reprioritize: an id with whitespace',
      () => f.t.queue.reprioritize('a b', 1),
      InvalidOptionsError,
    ],
    [
      'reprioritize: a fractional priority',
      () => f.t.queue.reprioritize(id, 1.5),
      InvalidOptionsError,
    ],
    [
      'reprioritize: a priority out of range',
      () => f.t.queue.reprioritize(id, 2e9),
      InvalidOptionsError,
    ],
    [
      'reprioritize: a string priority',
      () => f.t.queue.reprioritize(id, never('1')),
      InvalidOptionsError,
    ],
    ['promoteAll: a bad queue name', () => f.t.queue.promoteAll('a:b', 1), InvalidOptionsError],
    ['promoteAll: an unknown queue', () => f.t.queue.promoteAll('nope', 1), UnknownQueueError],
    ['promoteAll: by 0', () => f.t.queue.promoteAll(q, 0), InvalidOptionsError],
    ['promoteAll: a negative by', () => f.t.queue.promoteAll(q, -1), InvalidOptionsError],
    ['promoteAll: a fractional by', () => f.t.queue.promoteAll(q, 0.5), InvalidOptionsError],
    [
      'promoteAll: by past the whole range',
      () => f.t.queue.promoteAll(q, 2e9 + 1),
      InvalidOptionsError,
    ],
    [
      'promoteAll: maxTasks 0',
      () => f.t.queue.promoteAll(q, 1, { maxTasks: 0 }),
      InvalidOptionsError,
    ],
    [
      'promoteAll: an unknown option',
      () => f.t.queue.promoteAll(q, 1, never({ max: 1 })),
      InvalidOptionsError,
    ],
    [
      'promoteAll: more ready tasks than maxTasks',
      () => f.t.queue.promoteAll(q, 1, { maxTasks: 2 }),
      TooManyWaitingTasksError,
    ],
    [
      'removeByPriority: an unknown queue',
      () => f.t.queue.removeByPriority('nope', { below: 1 }),
      UnknownQueueError,
    ],
    [
      'removeByPriority: no threshold',
      () => f.t.queue.removeByPriority(q, {}),
      InvalidOptionsError,
    ],
    [
      'removeByPriority: a threshold that is not an object',
      () => f.t.queue.removeByPriority(q, never(3)),
      InvalidOptionsError,
    ],
    [
      'removeByPriority: an unknown key',
      () => f.t.queue.removeByPriority(q, never({ under: 1 })),
      InvalidOptionsError,
    ],
    [
      'removeByPriority: a fractional bound',
      () => f.t.queue.removeByPriority(q, { above: 0.5 }),
      InvalidOptionsError,
    ],
    [
      'removeByPriority: a bound out of range',
      () => f.t.queue.removeByPriority(q, { below: -2e9 }),
      InvalidOptionsError,
    ],
    [
      'removeByPriority: below greater than above',
      () => f.t.queue.removeByPriority(q, { below: 4, above: 1 }),
      InvalidOptionsError,
    ],
    ['peek: an unknown queue', () => f.t.queue.peek('nope', 1), UnknownQueueError],
    ['peek: count 0', () => f.t.queue.peek(q, 0), InvalidOptionsError],
    ['peek: a negative count', () => f.t.queue.peek(q, -1), InvalidOptionsError],
    ['peek: count over 1000', () => f.t.queue.peek(q, 1001), InvalidOptionsError],
  ])('rejects %s with its typed error and changes nothing', async (_what, call, type) => {
    await expect(call()).rejects.toBeInstanceOf(type);
    expect(await queueState(f.redis, f.t, q)).toEqual(before);
  });

  it('names the queue in UnknownQueueError and the counts in TooManyWaitingTasksError', async () => {
    await expect(f.t.queue.peek('nope')).rejects.toMatchObject({
      queue: 'nope',
      message: expect.stringContaining('Unknown queue "nope": no task was ever enqueued to it'),
    });
    await expect(f.t.queue.promoteAll(q, 1, { maxTasks: 2 })).rejects.toMatchObject({
      queue: q,
      waiting: 3,
      limit: 2,
    });
  });
});
