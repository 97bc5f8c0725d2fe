import { Broker } from '../broker/broker';
import { NewTask } from '../broker/new-task';
import { InvalidOptionsError, MessageAlreadyExistsError } from '../errors';
import { EnqueueWrappers } from './enqueue-wrappers';
import { ChordHandle, GroupHandle } from './group-handle';
import { TaskHandle } from './task-handle';
import { randomTaskId } from '../broker/task-ids';
import { PLACEHOLDER_ID, TaskMessageBuilder } from '../messages/task-message.builder';
import { withTaskIdsOnFailure } from './task-ids-on-failure';
import { memberId, NOT_IN_WORKFLOWS, workflowTaskOptions } from './workflow-options';
import { TaskRequest } from '../messages/task-types';

const MAX_PARTS = 10_000;

/** Groups (parallel tasks) and chords (parallel tasks, then one callback with all results). */
export class Groups {
  constructor(
    private readonly broker: Broker,
    private readonly builder: TaskMessageBuilder,
    private readonly enqueueMany: (requests: TaskRequest[]) => Promise<TaskHandle[]>,
    private readonly handle: (id: string, queue: string) => TaskHandle,
    private readonly wrappers: EnqueueWrappers,
  ) {}

  /** A group is an atomic batch with a handle that collects its results. */
  async group(requests: TaskRequest[]): Promise<GroupHandle> {
    this.checkCount(requests, 'requests');
    return new GroupHandle(randomTaskId(), await this.enqueueMany(requests));
  }

  async chord<R>(parts: TaskRequest[], callback: TaskRequest): Promise<ChordHandle<R>> {
    this.checkCount(parts, 'parts');
    const drafts = parts.map((part, i) => this.build(part, `parts[${i}]`));
    const draft = this.build(callback, 'callback');
    // The chord's id is made for its callback's queue: member ids are `<chord id>-<n>`.
    const chordId = this.builder.newId(draft.queue);
    const built = drafts.map((task, i) =>
      this.builder.withId(task, memberId(this.builder, task, chordId, String(i + 1))),
    );
    const last = this.builder.withId(draft, `${chordId}-callback`);
    const ids = [...built, last].map((task) => task.id);
    const write = () => this.broker.enqueueChord(built, last);
    if (!(await withTaskIdsOnFailure(ids, () => this.wrappers.write([...built, last], write)))) {
      throw new MessageAlreadyExistsError(last.id);
    }
    return new ChordHandle<R>(
      chordId,
      built.map((task) => this.handle(task.id, task.queue)),
      this.handle(last.id, last.queue) as TaskHandle<R>,
    );
  }

  private checkCount(list: unknown, field: string): void {
    if (!Array.isArray(list) || list.length < 1 || list.length > MAX_PARTS) {
      throw new InvalidOptionsError(field, `must be an array of 1 to ${MAX_PARTS} tasks`);
    }
  }

  /** A member, with a placeholder id (the chord's ids are made once its queue is known). */
  private build(request: TaskRequest, field: string): NewTask {
    const options = workflowTaskOptions(
      request,
      field,
      '{ task, args?, options? }',
      NOT_IN_WORKFLOWS,
      'a chord',
    );
    if (field === 'callback' && (options.delay !== undefined || options.runAt !== undefined)) {
      throw new InvalidOptionsError(
        `${field}.options`,
        'the callback runs when the last part ends: it takes no delay or runAt',
      );
    }
    return this.builder.buildRequest(request, { ...request.options, id: PLACEHOLDER_ID });
  }
}
