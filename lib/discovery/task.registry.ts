import { Injectable } from '@nestjs/common';
import { TaskNameCollisionError } from '../errors';
import { ResolvedTaskOptions, TaskGates, TaskMechanism } from '../options/task.options';
import { TaskScheduleOptions } from '../options/schedule.options';
import type { BatchOptions } from '../options/batch.options';
import type { RateLimit } from '../options/rate-limit';
import { closestName } from './name-suggestion';

/** A discovered @Task handler, bound to its provider instance. */
export interface TaskDefinition {
  name: string;
  /** `ClassName.methodName`, for messages. */
  source: string;
  options: Partial<ResolvedTaskOptions>;
  /** Declared with `@Task({ schedule })`: registered at startup. */
  schedule?: TaskScheduleOptions;
  /** `@Task({ lock, concurrency })`: applied to every task of this name enqueued here. */
  gates?: TaskGates;
  /** `@Task({ rateLimit })`: stored in Redis at startup, applied by every claim. */
  rateLimit?: RateLimit;
  /** `@Task({ mechanism })`: 'thread' and 'process' run in the worker's pool (lib/pool). */
  mechanism?: TaskMechanism;
  /** `@Task({ batch })`: the worker calls the handler with a TaskBatch (lib/worker/batcher.ts). */
  batch?: BatchOptions;
  handler: (...args: unknown[]) => unknown;
}

/** The tasks this application can run, by name. */
@Injectable()
export class TaskRegistry {
  private readonly tasks = new Map<string, TaskDefinition>();

  register(definition: TaskDefinition): void {
    const existing = this.tasks.get(definition.name);
    if (existing) {
      throw new TaskNameCollisionError(definition.name, existing.source, definition.source);
    }
    this.tasks.set(definition.name, definition);
  }

  get(name: string): TaskDefinition | undefined {
    return this.tasks.get(name);
  }

  has(name: string): boolean {
    return this.tasks.has(name);
  }

  /** The registered name `name` is most likely a typo of, if any. */
  suggest(name: string): string | undefined {
    return closestName(name, this.tasks.keys());
  }

  all(): TaskDefinition[] {
    return [...this.tasks.values()];
  }
}
