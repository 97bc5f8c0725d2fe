import { Injectable, Type } from '@nestjs/common';
import { Observable } from 'rxjs';
import { Broker } from '../broker/broker';
import type { StoredQueueSettings } from '../broker/flow-settings';
import { EnqueueResult, followedId, isMismatch } from '../broker/enqueue-results';
import { QueueCounts, QueueState, TaskSummary } from '../broker/queue-snapshot';
import { NewTask } from '../broker/new-task';
import { HookInvoker } from '../hooks/hook-invoker';
import { InvalidOptionsError, MessageAlreadyExistsError } from '../errors';
import { EnqueueOptions, ScheduleOptions } from '../options/task.options';
import { ResultPool } from '../results/result-pool';
import { ResultStore } from '../results/result-store';
import { ResultStream } from '../results/result-stream';
import { checkResultTargets } from './result-targets';
import { ResultOptions } from '../results/result-options';
import { TaskSettlement } from '../results/settlement';
import { EventsReader } from '../status/events-reader';
import { checkKnownKeys, checkName, checkObject, checkTaskId } from '../validation/checks';
import { StatusTracker } from '../status/status-tracker';
import { TaskDetails, TaskDetailsReader } from '../status/task-details';
import { StatusUpdate } from '../core/task-status';
import { RedisConnections } from '../redis/redis-connections';
import { ScheduleInfo } from '../options/schedule.options';
import { Schedules } from '../scheduling/schedules';
import { ChainHandle } from './chain-handle';
import { ChainLink, Chains, LastResult } from './chains';
import { ChordHandle, GroupHandle } from './group-handle';
import { Groups } from './groups';
import { DeadLetter, DeadLetterPage, DeadLetters } from './dead-letters';
import { EnqueueBatcher } from './enqueue-batcher';
import { EnqueueWrappers } from './enqueue-wrappers';
import { ObliterateOptions, QueueControl } from './queue-control';
import { ListPage, QueueInspector, QueueStats } from './queue-inspector';
import { Priorities, PriorityThreshold, PromoteOptions, WaitingTask } from './priorities';
import { ResultOf, TaskHandle } from './task-handle';
import { locationQueue, TaskLocation } from './task-location';
import { TaskMessageBuilder } from '../messages/task-message.builder';
import { UnconsumedQueues } from '../catalog/unconsumed-queues';
import { withTaskIdsOnFailure } from './task-ids-on-failure';
import { WorkflowLookup } from './workflow-lookup';
import { resolveTaskMethod } from '../messages/task-call';
import { refuseDebounceInBatch } from '../messages/debounce';
import {
  ArgsAndOptions,
  MethodName,
  MethodResult,
  RequestResult,
  RequestResults,
  TaskRequest,
} from '../messages/task-types';

/** Enqueues tasks and follows them, from any provider. */
@Injectable()
export class QueueService {
  private readonly batcher: EnqueueBatcher;
  private readonly dead: DeadLetters;
  private readonly chains: Chains;
  private readonly groups: Groups;
  private readonly inspector: QueueInspector;
  private readonly control: QueueControl;
  private readonly priorities: Priorities;
  private readonly pool: ResultPool;
  private readonly workflows: WorkflowLookup;

  constructor(
    private readonly broker: Broker,
    private readonly tracker: StatusTracker,
    private readonly store: ResultStore,
    connections: RedisConnections,
    private readonly hooks: HookInvoker,
    reader: EventsReader,
    private readonly builder: TaskMessageBuilder,
    private readonly scheduled: Schedules,
    private readonly unconsumed: UnconsumedQueues,
    private readonly wrappers: EnqueueWrappers,
    private readonly details: TaskDetailsReader,
  ) {
    this.batcher = new EnqueueBatcher(broker);
    this.dead = new DeadLetters(broker, connections);
    const handle = (id: string, queue: string) => this.handle(id, queue);
    this.chains = new Chains(broker, this.builder, handle, wrappers);
    this.groups = new Groups(
      broker,
      this.builder,
      (requests) => this.enqueueMany(requests),
      handle,
      wrappers,
    );
    this.workflows = new WorkflowLookup(connections, broker.router, (id) => this.handle(id));
    this.inspector = new QueueInspector(broker);
    this.control = new QueueControl(broker);
    this.priorities = new Priorities(broker.priorities, broker.router);
    this.pool = new ResultPool(connections, broker.router, reader, store);
  }

  /**
   * Enqueues a task by name, or by class and method (arguments and result type-checked; the
   * arguments may be left out when the method takes none). One round trip; nothing is
   * written when validation fails.
   * @example
   * await queue.enqueue('email.send', ['a@b.c', 'hi'], { priority: 1 });
   * await queue.enqueue(EmailService, 'send', ['a@b.c', 'hi']);
   * await queue.enqueue(ReportService, 'rebuild'); // rebuild() takes no parameter
   */
  enqueue(task: string, args?: unknown[], options?: EnqueueOptions): Promise<TaskHandle>;
  enqueue<T, K extends MethodName<T>>(
    type: Type<T>,
    method: K,
    ...argsAndOptions: ArgsAndOptions<T, K>
  ): Promise<TaskHandle<MethodResult<T, K>>>;
  async enqueue(
    task: string | Type<unknown>,
    second?: unknown,
    third?: unknown,
    fourth?: EnqueueOptions,
  ): Promise<TaskHandle<unknown>> {
    if (typeof task === 'string') {
      // Undefined for a local name, the usual case: the hot path then waits for nothing.
      const lookingUp = this.builder.lookUp([task]);
      if (lookingUp) await lookingUp;
    }
    const message =
      typeof task === 'string'
        ? this.builder.build(task, second ?? [], third as EnqueueOptions | undefined)
        : this.builder.buildCall(task, second, third, fourth);
    const written = this.wrappers.empty
      ? await this.batcher.add(message)
      : await this.wrappers.write([message], () => this.batcher.add(message));
    this.unconsumed.enqueued(message.queue, message.name);
    if (written === 'written' && this.hooks.active) {
      await this.submitted(message, typeof task === 'string' ? second : third);
    }
    return this.handle(followedId(message.id, written), this.knownQueue(message, written));
  }

  /**
   * Enqueues a batch atomically in one round trip: every task is written, or none. Requests
   * by class and method (`taskCall(…)`) give handles typed with their handler's result.
   */
  async enqueueMany<Q extends TaskRequest[]>(
    requests: [...Q],
  ): Promise<{ [I in keyof Q]: TaskHandle<RequestResult<Q[I]>> }> {
    if (!Array.isArray(requests)) throw new InvalidOptionsError('requests', 'must be an array');
    await this.builder.lookUp(requests.map(namedTask));
    const messages = requests.map((request: unknown, i) => {
      if (!request || typeof request !== 'object') {
        throw new InvalidOptionsError(`requests[${i}]`, 'must be { task, args?, options? }');
      }
      const { options } = request as TaskRequest;
      refuseDebounceInBatch(options, `requests[${i}].options`);
      return this.builder.buildRequest(request as TaskRequest, options);
    });
    return (await this.writeBatch(requests, messages)) as {
      [I in keyof Q]: TaskHandle<RequestResult<Q[I]>>;
    };
  }

  /**
   * Runs tasks one after the other: each step starts when the previous one succeeded and reads
   * its result as `taskContext().previous`. A failed step stops the chain (unless it has
   * `continueOnFailure`). All steps are written at once, atomically; each continuation is
   * released by the same script that records the previous step's outcome.
   * @example
   * const chain = await queue.chain([
   *   { task: 'invoice.create', args: [orderId] },
   *   { task: 'invoice.render' },
   *   { task: 'invoice.send', args: ['ada@example.com'] },
   * ]);
   * await chain.result();
   */
  chain<S extends ChainLink[]>(steps: [...S]): Promise<ChainHandle<LastResult<S>>>;
  chain<R = unknown>(steps: ChainLink[]): Promise<ChainHandle<R>>;
  async chain(steps: ChainLink[]): Promise<ChainHandle<unknown>> {
    if (Array.isArray(steps)) await this.builder.lookUp(steps.map(namedTask));
    return this.chains.enqueue(steps);
  }

  /**
   * Runs tasks in parallel (one atomic batch); `results()` resolves with all their results,
   * in order (typed for requests made with `taskCall(…)`).
   */
  async group<Q extends TaskRequest[]>(requests: [...Q]): Promise<GroupHandle<RequestResults<Q>>> {
    if (Array.isArray(requests)) await this.builder.lookUp(requests.map(namedTask));
    return (await this.groups.group(requests)) as GroupHandle<RequestResults<Q>>;
  }

  /**
   * Runs `parts` in parallel, then `callback` once, with every part's result (in the parts'
   * order) as `taskContext().previous`. The join is counted in Redis by the parts' outcome
   * scripts: the callback runs exactly once, whichever workers finish the parts. A part that
   * fails for good (or is cancelled) fails the chord; the callback then never runs.
   * @example
   * const chord = await queue.chord(
   *   files.map((file) => ({ task: 'file.count', args: [file] })),
   *   { task: 'counts.sum' },
   * );
   * const total = await chord.result();
   */
  async chord<R = unknown>(
    parts: TaskRequest[],
    callback: TaskRequest<R>,
  ): Promise<ChordHandle<R>> {
    if (Array.isArray(parts)) await this.builder.lookUp([...parts, callback].map(namedTask));
    return this.groups.chord<R>(parts, callback);
  }

  /**
   * The chain with id `chain.id`, e.g. in a later request or another process: a handle on its
   * steps, as `chain()` returned it (its result type is the caller's claim). Rejects with
   * TaskNotFoundError when none of its steps' records is left.
   * @example
   * const chain = await queue.findChain<Receipt>(savedChainId);
   * const receipt = await chain.result();
   */
  async findChain<R = unknown>(id: string): Promise<ChainHandle<R>> {
    return (await this.workflows.chain(id)) as ChainHandle<R>;
  }

  /**
   * The chord with id `chord.id`: its parts and callback, as `chord()` returned them. Rejects
   * with TaskNotFoundError when its callback's record is gone.
   */
  async findChord<R = unknown>(id: string): Promise<ChordHandle<R>> {
    return (await this.workflows.chord(id)) as ChordHandle<R>;
  }

  /**
   * A handle on any task id, e.g. one received from another process. Give the class and
   * method of its `@Task` to have `result()` typed with the handler's return type (the id is
   * taken on trust: `status().task` says which task it really is).
   * @example
   * const handle = queue.handle(OrderTasks, 'process', id); // TaskHandle<Receipt>
   */
  handle<R = unknown>(id: string, location?: TaskLocation | string): TaskHandle<R>;
  handle<T, K extends MethodName<T>>(
    type: Type<T>,
    method: K,
    id: string,
  ): TaskHandle<MethodResult<T, K>>;
  handle(
    first: string | Type<unknown>,
    second?: string | TaskLocation,
    third?: string,
  ): TaskHandle<unknown> {
    if (typeof first === 'string') {
      const queue = locationQueue(second);
      return new TaskHandle(first, this.tracker, this.store, this.broker, queue);
    }
    // Refuses a method that is no task, as enqueue does.
    resolveTaskMethod(first, second, []);
    return new TaskHandle(checkTaskId(third, 'id'), this.tracker, this.store, this.broker);
  }

  /**
   * The queue a handle on an enqueued task follows: when the holder of a taken id may be of
   * another queue, none in the 'prefix' layout (it is looked up); in the 'queue' layout the
   * holder is in the slot the message's queue names, so that queue locates it.
   */
  private knownQueue(message: NewTask, written: EnqueueResult): string | undefined {
    return knownQueue(message, written) ?? (this.broker.router.spread ? message.queue : undefined);
  }

  /**
   * Everything a task's record holds (arguments, metadata, status, progress, result or error
   * with its stack, history, chain and chord links), read in one round trip. Resolves
   * undefined when the task has no record; give its queue for a custom id.
   * @example
   * const task = await queue.inspect(id);
   * if (task?.status === TaskStatus.FAILED) console.error(task.lastError?.stack);
   */
  async inspect(id: string, location?: TaskLocation | string): Promise<TaskDetails | undefined> {
    return this.details.read(checkTaskId(id, 'id'), locationQueue(location));
  }

  /** A queue's failed tasks (its dead-letter set), newest first. */
  deadLetters(queue: string, page?: DeadLetterPage): Promise<DeadLetter[]> {
    return this.dead.list(queue, page);
  }

  /**
   * Runs failed tasks of a queue again: the given ids, or up to 1 000 of the oldest. They
   * become SUBMITTED with their retries renewed. Returns the ids requeued.
   */
  requeueDead(queue: string, ids?: string[]): Promise<string[]> {
    return this.dead.requeue(queue, ids);
  }

  /** Deletes failed tasks of a queue (the given ids, or up to 1 000 of the oldest). */
  purgeDead(queue: string, ids?: string[]): Promise<number> {
    return this.dead.purge(queue, ids);
  }

  /**
   * Enqueues `task` on a schedule: a cron expression (`cron`, `tz`) or an interval (`every`
   * ms), with fixed `args` and the usual task options. Idempotent: the same definition gets
   * the same id, so every app instance may register it at startup. Workers fire each tick once.
   * @example
   * await queue.schedule('report.build', { cron: '0 6 * * *', tz: 'Europe/Paris', args: ['daily'] });
   */
  schedule(task: string, options: ScheduleOptions): Promise<ScheduleInfo> {
    return this.scheduled.register(task, options);
  }

  /** Removes a schedule (tasks it enqueued stay). False when there was none. */
  unschedule(id: string): Promise<boolean> {
    return this.scheduled.unregister(id);
  }

  /** Every schedule, soonest first. */
  schedules(): Promise<ScheduleInfo[]> {
    return this.scheduled.list();
  }

  /**
   * A queue's counts (waiting, delayed, running, dead-lettered, paused) taken in one snapshot,
   * and the runs that succeeded, failed or were cancelled among its recent status changes.
   * @example
   * const { waiting, running, recent } = await queue.stats('emails');
   */
  stats(queue: string): Promise<QueueStats> {
    return this.inspector.stats(queue);
  }

  /**
   * The flow settings stored in Redis for a queue, which every worker applies: its rate limit
   * and concurrency (as the last app to start declared them), its task names' rate limits, and
   * which app declared them (docs/flow-control.md).
   * @example
   * const { rateLimit, concurrency, taskRateLimits } = await queue.settings('emails');
   */
  settings(queue: string): Promise<StoredQueueSettings> {
    return this.broker.flow.settings(checkName(queue, 'queue'));
  }

  /** Every queue of the prefix (each that ever received a task) with its counts, by name. */
  queues(): Promise<QueueCounts[]> {
    return this.inspector.queues();
  }

  /**
   * One page of a queue's tasks in a state: `waiting` in claim order, `delayed` earliest due
   * first, `running` earliest lease deadline first, `dead` latest failure first.
   * @example
   * const next = await queue.list('emails', 'waiting', { offset: 0, limit: 20 });
   */
  list(queue: string, state: QueueState, page?: ListPage): Promise<TaskSummary[]> {
    return this.inspector.list(queue, state, page);
  }

  /**
   * Workers stop claiming from the queue; running tasks finish, enqueues still land.
   * Returns false when it was paused already.
   */
  pause(queue: string): Promise<boolean> {
    return this.control.pause(queue);
  }

  /** Workers claim from the queue again, at once. Returns false when it was not paused. */
  resume(queue: string): Promise<boolean> {
    return this.control.resume(queue);
  }

  /**
   * Cancels every waiting and delayed task of the queue (each ends CANCELLED); running tasks
   * go on. Returns how many were cancelled.
   */
  drain(queue: string): Promise<number> {
    return this.control.drain(queue);
  }

  /**
   * Deletes everything of the queue: its tasks (finished ones included), events and keys.
   * Refuses with QueueBusyError while tasks of it run, unless `force`. Returns how many task
   * records were deleted.
   */
  obliterate(queue: string, options?: ObliterateOptions): Promise<number> {
    return this.control.obliterate(queue, options);
  }

  /**
   * Gives a waiting task (ready or delayed) a new priority. A ready task goes to the tail of
   * the new priority's list. Resolves false when the task is running or finished (nothing is
   * changed); rejects with TaskNotFoundError when there is no such task.
   * @example
   * await queue.reprioritize(handle.id, -10); // run it before the priority-0 backlog
   */
  reprioritize(id: string, priority: number, options: TaskLocation = {}): Promise<boolean> {
    return this.priorities.reprioritize(id, priority, locationQueue(options));
  }

  /**
   * Ages a queue: lowers the priority of every ready task by `by`, so they run sooner than
   * tasks enqueued later at their old priority. Atomic; clamped at the lowest priority.
   * Resolves with the number of tasks moved.
   * @example
   * setInterval(() => void queue.promoteAll('reports', 1).catch(console.error), 60_000);
   */
  promoteAll(queue: string, by: number, options?: PromoteOptions): Promise<number> {
    return this.priorities.promoteAll(queue, by, options);
  }

  /**
   * Cancels the ready tasks of a queue whose priority is strictly below `below` or above
   * `above`. Each ends CANCELLED. Resolves with how many.
   * @example
   * await queue.removeByPriority('emails', { above: 100 }); // drop the low-importance backlog
   */
  removeByPriority(queue: string, threshold: PriorityThreshold): Promise<number> {
    return this.priorities.removeByPriority(queue, threshold);
  }

  /** The next `count` ready tasks of a queue (1 to 1 000, default 10), in claim order. */
  peek(queue: string, count?: number): Promise<WaitingTask[]> {
    return this.priorities.peek(queue, count);
  }

  /** Same as `handle(id).status$`. */
  status$(id: string): Observable<StatusUpdate> {
    return this.tracker.status$(id);
  }

  /**
   * The settlements of many tasks, in the order they finish (those finished already first):
   * an Observable that completes when all settled, and an AsyncIterable. One listener per queue
   * whatever the number of tasks. After `timeout` ms it errors with ResultTimeoutError naming
   * the tasks still pending.
   * @example
   * for await (const s of queue.results(handles, { timeout: 60_000 })) {
   *   if (s.status === TaskStatus.SUCCEEDED) console.log(s.id, s.value);
   *   else console.error(s.id, s.error.message);
   * }
   */
  results<H extends TaskHandle<unknown> | string>(
    handles: readonly H[],
    options?: ResultOptions,
  ): ResultStream<ResultOf<H>> {
    const { targets, timeoutMs } = checkResultTargets(handles, options);
    // The pool decodes values as unknown; the handles' types say what they are.
    const settle$ = this.pool.settle$(targets, timeoutMs) as Observable<
      TaskSettlement<ResultOf<H>>
    >;
    return new ResultStream<ResultOf<H>>((subscriber) => settle$.subscribe(subscriber));
  }

  /**
   * Promise.all over results: every value, in the order of `handles`. Rejects with the first
   * TaskFailedError, TaskCancelledError or TaskNotFoundError (and stops waiting), or with
   * ResultTimeoutError.
   * @example
   * const [sent, report] = await queue.allResults([emailHandle, reportHandle], { timeout: 5_000 });
   */
  async allResults<const H extends readonly (TaskHandle<unknown> | string)[]>(
    handles: H,
    options?: ResultOptions,
  ): Promise<{ -readonly [K in keyof H]: ResultOf<H[K]> }> {
    const { targets, timeoutMs } = checkResultTargets(handles, options);
    return (await this.pool.all(targets, timeoutMs)) as {
      -readonly [K in keyof H]: ResultOf<H[K]>;
    };
  }

  /**
   * Promise.allSettled over results: every settlement, in the order of `handles`. Rejects only
   * with ResultTimeoutError (or a connection error).
   */
  async allSettled<const H extends readonly (TaskHandle<unknown> | string)[]>(
    handles: H,
    options?: ResultOptions,
  ): Promise<{ -readonly [K in keyof H]: TaskSettlement<ResultOf<H[K]>> }> {
    const { targets, timeoutMs } = checkResultTargets(handles, options);
    const settled = await this.pool.allSettled(targets, timeoutMs);
    return settled as { -readonly [K in keyof H]: TaskSettlement<ResultOf<H[K]>> };
  }

  /** Status changes of every task (of one queue when given), across all processes. */
  events$(filter: { queue?: string } = {}): Observable<StatusUpdate> {
    // Checked here, not on subscribe: `{ queues: 'x' }` or `{ queue: '' }` must not quietly
    // follow every queue.
    const checked = checkObject(filter ?? {}, 'filter');
    checkKnownKeys(checked, ['queue'], 'filter');
    const queue =
      checked.queue === undefined ? undefined : checkName(checked.queue, 'filter.queue');
    return this.tracker.events$(queue === undefined ? {} : { queue });
  }

  /** Submit hooks see the arguments as the caller passed them (not a serialised copy). */
  private submitted(message: NewTask, args: unknown): Promise<void> {
    const task = { id: message.id, name: message.name, queue: message.queue, attempt: 0 };
    return this.hooks.fire('submit', { task, args: (args ?? []) as unknown[] });
  }

  private async writeBatch(requests: TaskRequest[], messages: NewTask[]): Promise<TaskHandle[]> {
    if (messages.length === 0) return [];
    const ids = new Set(messages.map((m) => m.id));
    if (ids.size !== messages.length) {
      throw new InvalidOptionsError('requests', 'two tasks of the batch have the same id');
    }
    const written = await withTaskIdsOnFailure(
      messages.map((message) => message.id),
      () => this.wrappers.write(messages, () => this.broker.enqueue(messages, true)),
    );
    for (const message of messages) this.unconsumed.enqueued(message.queue, message.name);
    const refused = written.findIndex((result) => result === 'taken' || isMismatch(result));
    if (refused !== -1) {
      const result = written[refused];
      throw new MessageAlreadyExistsError(
        messages[refused].id,
        isMismatch(result) ? result.differs : [],
        messages[refused].queue,
      );
    }
    if (this.hooks.active) {
      for (const [i, message] of messages.entries()) {
        if (written[i] === 'written') await this.submitted(message, requests[i].args);
      }
    }
    return messages.map((message, i) =>
      this.handle(message.id, this.knownQueue(message, written[i])),
    );
  }
}

/**
 * The queue of the task a handle follows, when known: the task written, the debounce burst's
 * task it merged into (same task name and queue), or a holder of the same definition (same
 * queue). Any other holder may live in another queue: the handle looks it up.
 */
function knownQueue(message: NewTask, written: EnqueueResult): string | undefined {
  return written === 'written' ||
    (typeof written === 'object' && !isMismatch(written)) ||
    (written === 'existing' && message.onDuplicate === 'return-matching')
    ? message.queue
    : undefined;
}

/** The task name a request gives, if it names its task (read before validation: any value). */
function namedTask(request: unknown): unknown {
  return (request as { task?: unknown } | null | undefined)?.task;
}
