import { Inject, Injectable, Type } from '@nestjs/common';
import { Observable } from 'rxjs';
import { Broker } from '../broker/broker';
import { RESOLVED_OPTIONS } from '../constants';
import { readTaskMetadata } from '../discovery/task-metadata.accessor';
import { TaskRegistry } from '../discovery/task.registry';
import { InvalidOptionsError, MessageAlreadyExistsError, UnknownTaskError } from '../errors';
import { ResolvedModuleOptions } from '../options/module.options';
import { EnqueueOptions } from '../options/task.options';
import { ResultStore } from '../results/result-store';
import { StatusTracker } from '../status/status-tracker';
import { StatusUpdate } from '../status/task-status';
import { RedisConnections } from '../redis/redis-connections';
import { DeadLetter, DeadLetterPage, DeadLetters } from './dead-letters';
import { EnqueueBatcher } from './enqueue-batcher';
import { Priorities, PriorityThreshold, PromoteOptions, WaitingTask } from './priorities';
import { TaskHandle } from './task-handle';
import { TaskMessageBuilder } from './task-message.builder';
import { EnqueueRequest, MethodArgs, MethodName, MethodResult } from './task-types';

/** Enqueues tasks and follows them, from any provider. */
@Injectable()
export class QueueService {
  private readonly builder: TaskMessageBuilder;
  private readonly batcher: EnqueueBatcher;
  private readonly dead: DeadLetters;
  private readonly priorities: Priorities;

  constructor(
    @Inject(RESOLVED_OPTIONS) options: ResolvedModuleOptions,
    registry: TaskRegistry,
    private readonly broker: Broker,
    private readonly tracker: StatusTracker,
    private readonly results: ResultStore,
    connections: RedisConnections,
  ) {
    this.builder = new TaskMessageBuilder(options, registry);
    this.batcher = new EnqueueBatcher(broker);
    this.dead = new DeadLetters(broker, connections, broker.keys);
    this.priorities = new Priorities(broker.priorities);
  }

  /**
   * Enqueues a task by name, or by class and method (arguments and result type-checked).
   * One round trip; nothing is written when validation fails.
   * @example
   * await queue.enqueue('email.send', ['a@b.c', 'hi'], { priority: 1 });
   * await queue.enqueue(EmailService, 'send', ['a@b.c', 'hi']);
   */
  enqueue(task: string, args?: unknown[], options?: EnqueueOptions): Promise<TaskHandle>;
  enqueue<T, K extends MethodName<T>>(
    type: Type<T>,
    method: K,
    args: MethodArgs<T, K>,
    options?: EnqueueOptions,
  ): Promise<TaskHandle<MethodResult<T, K>>>;
  async enqueue(
    task: string | Type<unknown>,
    second?: unknown,
    third?: unknown,
    fourth?: EnqueueOptions,
  ): Promise<TaskHandle<unknown>> {
    const message =
      typeof task === 'string'
        ? this.builder.build(task, second ?? [], third as EnqueueOptions | undefined)
        : this.buildFromMethod(task, second, third, fourth);
    await this.batcher.add(message);
    return this.handle(message.id, message.queue);
  }

  /** Enqueues a batch atomically in one round trip: every task is written, or none. */
  async enqueueMany(requests: EnqueueRequest[]): Promise<TaskHandle[]> {
    if (!Array.isArray(requests)) throw new InvalidOptionsError('requests', 'must be an array');
    if (requests.length === 0) return [];
    const messages = requests.map((request, i) => {
      if (!request || typeof request !== 'object') {
        throw new InvalidOptionsError(`requests[${i}]`, 'must be { task, args?, options? }');
      }
      return this.builder.build(request.task, request.args ?? [], request.options);
    });
    const ids = new Set(messages.map((m) => m.id));
    if (ids.size !== messages.length) {
      throw new InvalidOptionsError('requests', 'two tasks of the batch have the same id');
    }
    const written = await this.broker.enqueue(messages, true);
    const taken = written.indexOf('taken');
    if (taken !== -1) throw new MessageAlreadyExistsError(messages[taken].id);
    return messages.map((message) => this.handle(message.id, message.queue));
  }

  /** A handle on any task id, e.g. one received from another process. */
  handle<R = unknown>(id: string, queue?: string): TaskHandle<R> {
    return new TaskHandle<R>(id, this.tracker, this.results, this.broker, queue);
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
   * Gives a waiting task (ready or delayed) a new priority. A ready task goes to the tail of
   * the new priority's list. Resolves false when the task is running or finished (nothing is
   * changed); rejects with TaskNotFoundError when there is no such task.
   * @example
   * await queue.reprioritize(handle.id, -10); // run it before the priority-0 backlog
   */
  reprioritize(id: string, priority: number): Promise<boolean> {
    return this.priorities.reprioritize(id, priority);
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

  /** Status changes of every task (of one queue when given), across all processes. */
  events$(filter: { queue?: string } = {}): Observable<StatusUpdate> {
    return this.tracker.events$(filter);
  }

  private buildFromMethod(
    type: Type<unknown>,
    method: unknown,
    args: unknown,
    options?: EnqueueOptions,
  ) {
    const name = typeof type === 'function' ? type.name : String(type);
    const metadata = readTaskMetadata(
      (type?.prototype as Record<string, unknown> | undefined)?.[method as string],
    );
    if (!metadata) {
      throw new UnknownTaskError(
        `${name}.${String(method)}`,
        'that method has no @Task() decorator; add one, or enqueue by task name',
      );
    }
    return this.builder.build(metadata.name, args, options, metadata.options);
  }
}
