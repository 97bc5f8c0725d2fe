import { Broker } from '../broker/broker';
import { NewTask } from '../broker/new-task';
import { InvalidOptionsError, MessageAlreadyExistsError } from '../errors';
import { EnqueueOptions } from '../options/task.options';
import { checkBoolean } from '../validation/checks';
import { ChainHandle } from './chain-handle';
import { EnqueueWrappers } from './enqueue-wrappers';
import { TaskHandle } from './task-handle';
import { PLACEHOLDER_ID, TaskMessageBuilder } from '../messages/task-message.builder';
import { withTaskIdsOnFailure } from './task-ids-on-failure';
import { memberId, NOT_IN_WORKFLOWS, workflowTaskOptions } from './workflow-options';
import { RequestResult, TaskCall } from '../messages/task-types';

/** One step of a chain, by name. */
export interface ChainStep {
  task: string;
  args?: unknown[];
  /** Task options; `delay`/`runAt` only on the first step, no custom `id` or `unique`. */
  options?: Omit<EnqueueOptions, 'id' | 'unique' | 'uniqueFor' | 'onDuplicate'>;
  /** Run the next step even if this one fails (it sees `taskContext().previousError`). */
  continueOnFailure?: boolean;
}

/**
 * One step of a chain: by name, or by class and method (`taskCall(…)`, which types the chain's
 * result when it is the last step).
 * @example
 * await queue.chain([
 *   taskCall(InvoiceTasks, 'create', [orderId]),
 *   { ...taskCall(InvoiceTasks, 'render'), continueOnFailure: true },
 * ]);
 */
export type ChainLink<R = unknown> = ChainStep | (TaskCall<R> & { continueOnFailure?: boolean });

/** The result type of a chain: its last step's. */
export type LastResult<S extends readonly unknown[]> = S extends readonly [...unknown[], infer L]
  ? RequestResult<L>
  : unknown;

export const MAX_STEPS = 100;
const FIRST_STEP_ONLY = ['delay', 'runAt'];

/**
 * Builds and enqueues chains, all steps or none: in one script call when they share a slot,
 * else as a staged batch (Broker.enqueueChain).
 */
export class Chains {
  constructor(
    private readonly broker: Broker,
    private readonly builder: TaskMessageBuilder,
    private readonly handle: (id: string, queue: string) => TaskHandle,
    private readonly wrappers: EnqueueWrappers,
  ) {}

  async enqueue(steps: ChainLink[]): Promise<ChainHandle<unknown>> {
    if (!Array.isArray(steps) || steps.length < 1 || steps.length > MAX_STEPS) {
      throw new InvalidOptionsError('steps', `must be an array of 1 to ${MAX_STEPS} steps`);
    }
    const drafts = steps.map((step, i) => this.build(step, i));
    // The chain's id is made for its first step's queue: step ids are `<chain id>-<n>`.
    const chainId = this.builder.newId(drafts[0].task.queue);
    const built = drafts.map(({ task, continueOnFailure }, i) => ({
      task: this.builder.withId(task, memberId(this.builder, task, chainId, String(i + 1))),
      continueOnFailure,
    }));
    const ids = built.map(({ task }) => task.id);
    const write = () => this.broker.enqueueChain(built);
    const tasks = built.map(({ task }) => task);
    if (!(await withTaskIdsOnFailure(ids, () => this.wrappers.write(tasks, write)))) {
      throw new MessageAlreadyExistsError(built[0].task.id);
    }
    return new ChainHandle(
      chainId,
      built.map(({ task }) => this.handle(task.id, task.queue)),
    );
  }

  /** A step, with a placeholder id (the chain's ids are made once its first queue is known). */
  private build(step: ChainLink, i: number): { task: NewTask; continueOnFailure: boolean } {
    const field = `steps[${i}]`;
    const options = workflowTaskOptions(
      step,
      field,
      '{ task, args?, options?, continueOnFailure? }',
      NOT_IN_WORKFLOWS,
      'a chain',
    );
    for (const key of i > 0 ? FIRST_STEP_ONLY : []) {
      if (options[key] !== undefined) {
        throw new InvalidOptionsError(
          `${field}.options.${key}`,
          'only the first step can be delayed; later steps run when the previous one ends',
        );
      }
    }
    const continueOnFailure =
      step.continueOnFailure === undefined
        ? false
        : checkBoolean(step.continueOnFailure, `${field}.continueOnFailure`);
    return {
      task: this.builder.buildRequest(step, { ...step.options, id: PLACEHOLDER_ID }),
      continueOnFailure,
    };
  }
}
