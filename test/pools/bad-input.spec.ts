import { Injectable } from '@nestjs/common';
import { InvalidOptionsError, PoolSetupError, Task } from '../../lib';
import { resolveModuleOptions } from '../../lib/options/module-options.validator';
import { catchInvalidOptions } from '../support/expect-invalid';
import { LoopTasks, ThreadTasks } from './fixtures/pool-tasks';
import { createPoolApp, POOL_MODULE, poolOptions } from './pool-app';

/** A thread task whose provider the pool module does not have. */
@Injectable()
class StrayTasks {
  @Task({ name: 'stray.crunch', queue: 'pool', mechanism: 'thread' })
  crunch(): string {
    return 'never here';
  }
}

/** The PoolSetupError the app's start fails with. */
async function startFailure(...args: Parameters<typeof createPoolApp>): Promise<PoolSetupError> {
  const started = await createPoolApp(...args).then(
    async (app) => {
      await app.close();
      return undefined;
    },
    (error: unknown) => error,
  );
  expect(started).toBeInstanceOf(PoolSetupError);
  return started as PoolSetupError;
}

describe('bad pool input', () => {
  it("refuses a mechanism other than 'async', 'thread' or 'process', naming the task", () => {
    const error = catchInvalidOptions(() => {
      class Tasks {
        @Task({ name: 'bad.fiber', mechanism: 'fiber' as 'thread' })
        run(): void {}
      }
      return Tasks;
    });
    expect(error.field).toBe('@Task(Tasks.run).mechanism');
    expect(error.message).toContain("'async' (the worker's event loop), 'thread' or 'process'");
  });

  it('fills in the defaults of worker.pool, and leaves it undefined when not given', () => {
    expect(resolveModuleOptions({ worker: { pool: { module: POOL_MODULE } } }).worker.pool).toEqual(
      {
        module: POOL_MODULE,
        export: 'AppModule',
        threads: 1,
        processes: 1,
        patienceMs: 1000,
        resourceLimits: undefined,
        preload: undefined,
      },
    );
    expect(resolveModuleOptions({}).worker.pool).toBeUndefined();
  });

  it.each([
    [{ module: './app.module' }, 'worker.pool.module', 'require.resolve'],
    [{ module: POOL_MODULE, threads: -1 }, 'worker.pool.threads', 'between 0 and 256'],
    [{ module: POOL_MODULE, processes: 1.5 }, 'worker.pool.processes', 'integer'],
    [{ module: POOL_MODULE, export: 'not a name' }, 'worker.pool.export', 'name'],
    [{ module: POOL_MODULE, patienceMs: -5 }, 'worker.pool.patienceMs', 'at least 0'],
    [{ module: POOL_MODULE, size: 2 }, 'worker.pool.size', 'unknown option'],
    [
      { module: POOL_MODULE, resourceLimits: { maxOldGenerationSizeMb: 0 } },
      'worker.pool.resourceLimits.maxOldGenerationSizeMb',
      'between 1',
    ],
  ])('refuses worker.pool %j with InvalidOptionsError', (pool, field, problem) => {
    const error = catchInvalidOptions(() =>
      resolveModuleOptions({ worker: { pool: pool as never } }),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.field).toBe(field);
    expect(error.message).toContain(problem);
  });

  it('fails the start when a thread task has no worker.pool, naming the task and the fix', async () => {
    const error = await startFailure([ThreadTasks], {});
    expect(error.message).toMatch(
      /@Task "thread\.\S+" \(ThreadTasks\.\w+\) has mechanism 'thread'/,
    );
    expect(error.message).toContain('worker.pool is not set');
    expect(error.message).toContain("require.resolve('./app.module')");
  });

  it('fails the start when the pool has no member of the kind a task needs', async () => {
    const error = await startFailure([ThreadTasks], { pool: poolOptions({ threads: 0 }) });
    expect(error.message).toContain('worker.pool.threads is 0');
  });

  it('fails the start when the module file does not load', async () => {
    const missing = `${POOL_MODULE}.missing.ts`;
    const error = await startFailure([ThreadTasks], { pool: poolOptions({ module: missing }) });
    expect(error.message).toContain(`worker.pool.module "${missing}" did not load`);
  }, 60_000);

  it('fails the start when the module file does not export the module', async () => {
    const error = await startFailure([ThreadTasks], { pool: poolOptions({ export: 'AppModule' }) });
    expect(error.message).toContain('exports no Nest module named "AppModule"');
    expect(error.message).toContain('(it exports: PoolTasksModule)');
    expect(error.message).toContain('set worker.pool.export');
  }, 60_000);

  it("fails the start when the pool's module lacks a task's provider, naming the task and the provider to add", async () => {
    const error = await startFailure([StrayTasks, LoopTasks], { pool: poolOptions() });
    expect(error.message).toContain('@Task "stray.crunch" (StrayTasks.crunch)');
    expect(error.message).toContain("add StrayTasks to that module's providers");
  }, 60_000);
});
