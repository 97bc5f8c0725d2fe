import type { TaskDefinition } from '../discovery/task.registry';
import { PoolSetupError } from '../errors';
import type { ResolvedPoolOptions } from '../options/pool.options';
import type { PoolMechanism } from '../options/task.options';
import type { Serializer } from '../serialization/serializer';
import { HandlerPools, runsInPool } from '../worker/handler-pools';
import type { TaskContext } from '../worker/task-context';
import { MemberPool } from './member-pool';
import { memberEntry, spawnMember } from './member-spawn';

/**
 * The worker's pools (`worker.pool`): a thread pool and a process pool, each started only when
 * a task of this app uses its mechanism. Checked at start: every such task must have a pool
 * of its kind whose module declares it.
 */
export class WorkerPools implements HandlerPools {
  private readonly pools = new Map<PoolMechanism, MemberPool>();
  private starting?: Promise<void>;

  constructor(
    private readonly options: ResolvedPoolOptions | undefined,
    private readonly serializer: Serializer,
  ) {}

  start(tasks: TaskDefinition[], report: (error: Error) => void): Promise<void> {
    return (this.starting ??= this.boot(tasks, report).catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    }));
  }

  run(task: TaskDefinition, args: unknown[], context: TaskContext): Promise<unknown> {
    const pool = this.pools.get(task.mechanism as PoolMechanism);
    if (!pool) {
      return Promise.reject(new PoolSetupError(`the worker's pools are not started`));
    }
    return pool.run(task.name, args, context);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.starting = undefined;
    await Promise.all(pools.map((pool) => pool.close()));
  }

  private async boot(all: TaskDefinition[], report: (error: Error) => void): Promise<void> {
    const tasks = all.filter(runsInPool);
    if (tasks.length === 0) return;
    const options = this.checkOptions(tasks);
    const entry = memberEntry(options);
    const mechanisms = [...new Set(tasks.map((task) => task.mechanism as PoolMechanism))];
    for (const mechanism of mechanisms) {
      const size = mechanism === 'thread' ? options.threads : options.processes;
      const spawn = () => spawnMember(mechanism, options, entry);
      this.pools.set(mechanism, new MemberPool(mechanism, size, spawn, this.serializer, report));
    }
    try {
      const declared = await Promise.all(mechanisms.map((m) => this.pools.get(m)?.start()));
      const known = new Set(declared.flatMap((names) => [...(names ?? [])]));
      const missing = tasks.find((task) => !known.has(task.name));
      if (missing) throw notInModule(missing, options);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** A pool for every mechanism the tasks use, with at least one member. */
  private checkOptions(tasks: TaskDefinition[]): ResolvedPoolOptions {
    const [first] = tasks;
    if (!this.options) {
      throw new PoolSetupError(
        `${describeTask(first)} has mechanism '${first.mechanism}', but worker.pool is not ` +
          `set: add worker: { pool: { module: require.resolve('./app.module'), export: ` +
          `'AppModule' } } to QueueModule.forRoot, or remove the mechanism to run it on the ` +
          `event loop.`,
      );
    }
    for (const task of tasks) {
      const key = task.mechanism === 'thread' ? 'threads' : 'processes';
      if (this.options[key] > 0) continue;
      throw new PoolSetupError(
        `${describeTask(task)} has mechanism '${task.mechanism}', but worker.pool.${key} is 0: ` +
          `give the pool at least one member of that kind.`,
      );
    }
    return this.options;
  }
}

function describeTask(task: TaskDefinition): string {
  return `@Task "${task.name}" (${task.source})`;
}

function notInModule(task: TaskDefinition, options: ResolvedPoolOptions): PoolSetupError {
  const provider = task.source.split('.')[0];
  return new PoolSetupError(
    `${describeTask(task)} has mechanism '${task.mechanism}', but the pool module ` +
      `${options.export} ("${options.module}") has no provider declaring it: add ${provider} ` +
      `to that module's providers (or import its module there), or point worker.pool.module ` +
      `to a module that has it.`,
  );
}
