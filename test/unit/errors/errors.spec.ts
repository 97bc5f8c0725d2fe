import * as publicApi from '../../../lib';
import {
  ConnectionError,
  ReplicationError,
  UnsupportedRedisError,
  RedisOutOfMemoryError,
  InvalidOptionsError,
  MessageAlreadyExistsError,
  NonRetryableError,
  ResultTimeoutError,
  QueueClosedError,
  SerializationError,
  TaskCancelledError,
  TaskFailedError,
  TaskmillError,
  TaskNameCollisionError,
  TaskNotFoundError,
  TaskTimeoutError,
  toErrorDetails,
  UnknownTaskError,
  UnknownQueueError,
  QueueBusyError,
  TooManyWaitingTasksError,
  LockTimeoutError,
  LockLostError,
  PoisonTaskError,
  IntegrityError,
  CorruptTaskError,
  ChainStoppedError,
  ChordPartFailedError,
  PoolMemberCrashError,
  TaskForbiddenError,
  ScopedProviderError,
} from '../../../lib/errors';

interface ErrorCase {
  /** The class under test; its name is what `error.name` must be. */
  type: abstract new (...args: never[]) => TaskmillError;
  create: () => TaskmillError;
  /** The offending value(s) the message must quote. */
  offending: string[];
  /** What the message tells the user to do; empty where it only reports (see below). */
  remedy: string[];
}

const CASES: ErrorCase[] = [
  {
    type: InvalidOptionsError,
    create: () =>
      new InvalidOptionsError('worker.concurrency', 'must be between 1 and 10000, got 0'),
    offending: ['worker.concurrency', 'got 0'],
    remedy: ['must be between 1 and 10000'],
  },
  {
    type: TaskNameCollisionError,
    create: () => new TaskNameCollisionError('email.send', 'MailService.send', 'SmtpService.send'),
    offending: ['email.send', 'MailService.send', 'SmtpService.send'],
    remedy: ["@Task({ name: '...' })"],
  },
  {
    type: UnknownTaskError,
    create: () => new UnknownTaskError('email.sned', 'add a @Task handler or fix the name'),
    offending: ['"email.sned"'],
    remedy: ['add a @Task handler or fix the name'],
  },
  {
    type: TaskForbiddenError,
    create: () => new TaskForbiddenError('report.build', 'Reports.build'),
    offending: ['"report.build"', 'Reports.build'],
    remedy: ['@UseGuards()'],
  },
  {
    type: ScopedProviderError,
    create: () => new ScopedProviderError('report.build', 'Reports', new Error('no tenant')),
    offending: ['"report.build"', 'Reports', 'Error: no tenant'],
    remedy: ['make it a singleton'],
  },
  {
    type: TaskNotFoundError,
    create: () => new TaskNotFoundError('task-123'),
    offending: ['"task-123"'],
    remedy: ['Raise resultTtl'],
  },
  {
    type: MessageAlreadyExistsError,
    create: () => new MessageAlreadyExistsError('order-42'),
    offending: ['"order-42"'],
    remedy: ['Use another id', "queue.handle('order-42')"],
  },
  {
    type: SerializationError,
    create: () =>
      new SerializationError('args[1].when', 'a Date instance; pass date.toISOString()'),
    offending: ['args[1].when', 'a Date instance'],
    remedy: ['pass date.toISOString()'],
  },
  {
    type: TaskFailedError,
    create: () => new TaskFailedError('task-7', 4, { name: 'TypeError', message: 'boom' }),
    offending: ['task-7', '4 attempt(s)', 'TypeError: boom'],
    remedy: ['remoteStack', 'enqueue the task again'],
  },
  {
    type: TaskCancelledError,
    create: () => new TaskCancelledError('task-8'),
    offending: ['task-8', 'cancelled'],
    remedy: ['Enqueue it again'],
  },
  {
    type: ResultTimeoutError,
    create: () => new ResultTimeoutError('task-9', 5000),
    offending: ['task-9', '5000 ms'],
    remedy: ['wait longer', 'status$'],
  },
  {
    type: QueueClosedError,
    create: () => new QueueClosedError('following task task-10'),
    offending: ['following task task-10', 'QueueModule closed'],
    remedy: ['follow them from a running application'],
  },
  {
    type: TaskTimeoutError,
    create: () => new TaskTimeoutError('report.build', 10_000),
    offending: ['"report.build"', '10000 ms'],
    remedy: ["Raise the task's timeout", 'taskContext().signal'],
  },
  {
    type: UnsupportedRedisError,
    create: () => new UnsupportedRedisError('5.0.7', '6.2.0'),
    offending: ['Redis 5.0.7', '6.2.0'],
    remedy: ['Upgrade the server'],
  },
  {
    type: RedisOutOfMemoryError,
    create: () =>
      new RedisOutOfMemoryError("OOM command not allowed when used memory > 'maxmemory'."),
    offending: ['out of memory', "used memory > 'maxmemory'", 'nothing was written'],
    remedy: ['raise maxmemory', 'resultTtl'],
  },
  {
    type: NonRetryableError,
    create: () => new NonRetryableError('recipient address "x@" is invalid; fix the address'),
    offending: ['"x@"'],
    remedy: ['fix the address'],
  },
  {
    type: UnknownQueueError,
    create: () => new UnknownQueueError('emials'),
    offending: ['"emials"'],
    remedy: ['Check the queue name', 'queue.queues()'],
  },
  {
    type: QueueBusyError,
    create: () => new QueueBusyError('emails', 3),
    offending: ['"emails"', '3 running task(s)', 'deleted nothing'],
    remedy: ['Pause the queue', '{ force: true }'],
  },
  {
    type: TooManyWaitingTasksError,
    create: () => new TooManyWaitingTasksError('emails', 25_000, 10_000),
    offending: ['"emails"', '25000 ready tasks', '10000', 'nothing was changed'],
    remedy: ['higher maxTasks', 'removeByPriority()'],
  },
  {
    type: LockTimeoutError,
    create: () => new LockTimeoutError('nightly-report', 5000),
    offending: ['"nightly-report"', '5000 ms', 'did not run'],
    remedy: ['Wait longer', "locks.holder('nightly-report')"],
  },
  {
    type: LockLostError,
    create: () => new LockLostError('nightly-report', 'taken'),
    offending: ['"nightly-report"', 'no longer holds it'],
    remedy: ['honour the signal', 'fence number'],
  },
  {
    type: ConnectionError,
    create: () => new ConnectionError('connect ECONNREFUSED 127.0.0.1:6399'),
    offending: ['ECONNREFUSED 127.0.0.1:6399'],
    remedy: ['Check that Redis is running', 'REDIS_URL'],
  },
  {
    type: ConnectionError,
    create: () =>
      new ConnectionError(
        'could not be reached: connect ECONNREFUSED 10.0.0.5:6390',
        '10.0.0.5:6390 (command connection)',
      ),
    offending: ['Redis at 10.0.0.5:6390 (command connection) could not be reached'],
    remedy: ['Check that Redis is running', 'REDIS_URL'],
  },
  {
    type: ConnectionError,
    create: () =>
      new ConnectionError(
        'did not answer within 300 ms',
        '10.0.0.5:6390 (command connection)',
      ).forTasks(['a1', 'b2', 'c3', 'd4']),
    offending: [
      'Redis at 10.0.0.5:6390 (command connection) did not answer within 300 ms',
      '"a1", "b2", "c3" and 1 more',
      'error.taskIds',
    ],
    remedy: ['same id', "onDuplicate: 'return-matching'"],
  },
  {
    type: ReplicationError,
    create: () =>
      new ReplicationError(0, 1, 500, '10.0.0.5:6390 (command connection)').forTasks(['a1']),
    offending: [
      'Redis at 10.0.0.5:6390 (command connection) kept the write',
      'only 0 of the 1 replicas',
      'within 500 ms',
      '"a1"',
    ],
    remedy: ['INFO replication', 'lower waitForReplicas', "onDuplicate: 'return-matching'"],
  },
  {
    type: MessageAlreadyExistsError,
    create: () => new MessageAlreadyExistsError('order-7', ['task name', 'arguments']),
    offending: ['"order-7"', 'another task name, arguments', 'nothing was written'],
    remedy: ['Use another id', "queue.handle('order-7')"],
  },
  {
    type: MessageAlreadyExistsError,
    create: () => new MessageAlreadyExistsError('order-8', [], 'emails'),
    offending: ['"order-8"'],
    remedy: ['Use another id', "queue.handle('order-8', { queue: 'emails' })"],
  },
  {
    type: PoolMemberCrashError,
    create: () =>
      new PoolMemberCrashError('img.resize', 'process', {
        kind: 'exit',
        code: null,
        signal: 'SIGKILL',
      }),
    offending: ['"img.resize"', 'pool process', 'killed by SIGKILL'],
    remedy: ['retried on a fresh member'],
  },
  {
    type: PoolMemberCrashError,
    create: () =>
      new PoolMemberCrashError('img.resize', 'thread', { kind: 'exit', code: 3, signal: null }),
    offending: ['pool thread', 'exited with code 3'],
    remedy: ['retried on a fresh member'],
  },
  {
    type: PoolMemberCrashError,
    create: () =>
      new PoolMemberCrashError('img.resize', 'thread', {
        kind: 'out-of-memory',
        detail: 'ERR_WORKER_OUT_OF_MEMORY',
      }),
    offending: ['ran out of memory', 'ERR_WORKER_OUT_OF_MEMORY'],
    remedy: ['raise worker.pool.resourceLimits'],
  },
  {
    type: PoolMemberCrashError,
    create: () =>
      new PoolMemberCrashError('img.resize', 'thread', { kind: 'error', detail: 'TypeError: x' }),
    offending: ['thrown outside', 'TypeError: x'],
    remedy: ['catch it in the handler'],
  },
  // Written by the scripts (or the worker) into a failed task's error: the message is theirs.
  ...(
    [
      [PoisonTaskError, 'its worker stopped 3 times'],
      [IntegrityError, 'it was RUNNING without a lease'],
      [CorruptTaskError, 'arguments of task t1 are not an array'],
      [ChainStoppedError, 'an earlier step of the chain failed'],
      [ChordPartFailedError, 'part k1-2 of the chord failed'],
    ] as const
  ).map(([type, message]) => ({
    type,
    create: () => new type(message),
    offending: [message],
    remedy: [],
  })),
];

describe.each(CASES.map((c) => [c.type.name, c] as const))('%s', (name, c) => {
  const error = c.create();

  it('is an instance of its class, TaskmillError and Error', () => {
    expect(error).toBeInstanceOf(c.type);
    expect(error).toBeInstanceOf(TaskmillError);
    expect(error).toBeInstanceOf(Error);
  });

  it('has name equal to its class name', () => {
    expect(error.name).toBe(name);
  });

  it('shows its class name and message when printed', () => {
    expect(String(error)).toBe(`${name}: ${error.message}`);
    expect(error.stack).toContain(name);
  });

  it('mentions the offending value in its message', () => {
    for (const text of c.offending) expect(error.message).toContain(text);
  });

  if (c.remedy.length > 0) {
    it('says what to do in its message', () => {
      for (const text of c.remedy) expect(error.message).toContain(text);
    });
  }

  it('is exported from the package root', () => {
    expect((publicApi as Record<string, unknown>)[name]).toBe(c.type);
  });
});

describe('TaskFailedError messages', () => {
  it('ends the remote message with one full stop, whether or not it brought its own', () => {
    const own = new TaskFailedError('t1', 2, { name: 'Error', message: 'Card declined.' });
    const none = new TaskFailedError('t1', 2, { name: 'Error', message: 'Card declined' });
    expect(own.message).toContain('Error: Card declined. See remoteStack');
    expect(own.message).not.toContain('..');
    expect(none.message).toBe(own.message);
  });

  it('says a chain step never ran and that the whole chain must be enqueued again', () => {
    const error = new TaskFailedError('c1-3', 0, {
      name: 'ChainStoppedError',
      message:
        'an earlier step of the chain (invoice.create, task c1-1) failed: boom; this step did not run',
    });
    expect(error.message).toMatch(/^Task c1-3 did not run: ChainStoppedError: an earlier step/);
    expect(error.message).toContain('enqueue the whole chain again');
    expect(error.message).not.toContain('attempt(s)');
    expect(error.message).not.toContain('enqueue the task again');
  });

  it('says a chord callback never ran and that the whole chord must be enqueued again', () => {
    const error = new TaskFailedError('k1-callback', 0, {
      name: 'ChordPartFailedError',
      message: 'part k1-2 (file.count) of the chord failed: boom; the callback did not run',
    });
    expect(error.message).toMatch(/^Task k1-callback did not run: ChordPartFailedError/);
    expect(error.message).toContain('enqueue the whole chord again');
    expect(error.message).not.toContain('attempt(s)');
  });
});

describe('errors the scripts write on tasks', () => {
  // Stored in failed tasks' records and read back as TaskFailedError.remoteName: renaming a
  // class would break every task failed before.
  it.each([
    [PoisonTaskError, 'PoisonTaskError'],
    [IntegrityError, 'IntegrityError'],
    [CorruptTaskError, 'CorruptTaskError'],
    [ChainStoppedError, 'ChainStoppedError'],
    [ChordPartFailedError, 'ChordPartFailedError'],
  ])('%p keeps the name %s', (type, name) => {
    expect(type.name).toBe(name);
    expect(new type('x').name).toBe(name);
  });
});

describe('error properties', () => {
  it('InvalidOptionsError exposes the field it rejects', () => {
    expect(new InvalidOptionsError('defaults.retries', 'must be an integer').field).toBe(
      'defaults.retries',
    );
  });

  it('SerializationError exposes the path of the value it rejects', () => {
    expect(new SerializationError('args[0]', 'a function').path).toBe('args[0]');
  });

  it("TaskFailedError carries the remote error's name, message, stack and attempt count", () => {
    const error = new TaskFailedError('t1', 3, {
      name: 'RangeError',
      message: 'out of range',
      stack: 'RangeError: out of range\n    at handler',
    });
    expect(error).toMatchObject({
      taskId: 't1',
      attempts: 3,
      remoteName: 'RangeError',
      remoteMessage: 'out of range',
      remoteStack: 'RangeError: out of range\n    at handler',
    });
  });

  it('ConnectionError carries the ids of the tasks its call was writing (none by default)', () => {
    const plain = new ConnectionError('connect ECONNREFUSED 127.0.0.1:6399');
    expect(plain.taskIds).toEqual([]);
    const named = plain.forTasks(['t1']);
    expect(named.taskIds).toEqual(['t1']);
    expect(named.message).toContain(plain.message);
    expect(named.message).toContain('"t1"');
  });

  it('ReplicationError is a ConnectionError, and stays a ReplicationError with its task ids', () => {
    const named = new ReplicationError(1, 2, 300).forTasks(['t1']);
    expect(named).toBeInstanceOf(ReplicationError);
    expect(named).toBeInstanceOf(ConnectionError);
    expect(named).toMatchObject({ acknowledged: 1, required: 2, timeoutMs: 300, taskIds: ['t1'] });
  });

  it('MessageAlreadyExistsError exposes the id and what differs from its holder', () => {
    expect(new MessageAlreadyExistsError('t3')).toMatchObject({ taskId: 't3', differences: [] });
    expect(new MessageAlreadyExistsError('t3', ['queue']).differences).toEqual(['queue']);
  });

  it('ResultTimeoutError exposes the task id and the timeout', () => {
    expect(new ResultTimeoutError('t2', 250)).toMatchObject({ taskId: 't2', timeoutMs: 250 });
  });

  it('UnknownQueueError and QueueBusyError expose the queue (and the running count)', () => {
    expect(new UnknownQueueError('q1').queue).toBe('q1');
    expect(new QueueBusyError('q2', 4)).toMatchObject({ queue: 'q2', running: 4 });
  });

  it('LockTimeoutError and LockLostError expose the lock name (and the wait, or why)', () => {
    expect(new LockTimeoutError('a', 10)).toMatchObject({ lockName: 'a', waitMs: 10 });
    expect(new LockLostError('b', 'unconfirmed')).toMatchObject({
      lockName: 'b',
      why: 'unconfirmed',
    });
  });

  it('TaskNameCollisionError exposes the colliding name', () => {
    expect(new TaskNameCollisionError('a', 'X.a', 'Y.a').taskName).toBe('a');
  });

  it('a subclass of NonRetryableError is still a NonRetryableError, named after the subclass', () => {
    class InvalidRecipientError extends NonRetryableError {}
    const error = new InvalidRecipientError('bad recipient');
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.name).toBe('InvalidRecipientError');
  });
});

describe('toErrorDetails', () => {
  it('keeps the name, message and stack of an Error', () => {
    const error = new TypeError('bad input');
    expect(toErrorDetails(error)).toEqual({
      name: 'TypeError',
      message: 'bad input',
      stack: error.stack,
    });
  });

  it('keeps the name of a taskmill error', () => {
    expect(toErrorDetails(new NonRetryableError('stop')).name).toBe('NonRetryableError');
  });

  it('describes a thrown string as NonErrorThrown with the string', () => {
    expect(toErrorDetails('oops')).toEqual({
      name: 'NonErrorThrown',
      message: 'handler threw a non-Error value: oops',
    });
  });

  it('describes a thrown object as JSON', () => {
    expect(toErrorDetails({ code: 42 }).message).toContain('{"code":42}');
  });

  it('describes a thrown value JSON cannot encode without throwing itself', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(toErrorDetails(cyclic)).toEqual({
      name: 'NonErrorThrown',
      message: 'handler threw a non-Error value: [object Object]',
    });
    expect(toErrorDetails(BigInt(7)).message).toContain('7');
  });
});
