import { ChildProcessByStdio, spawn } from 'child_process';
import { join } from 'path';
import { Readable } from 'stream';
import { filter, firstValueFrom } from 'rxjs';
import { TaskStatus } from '../../lib';
import { cliCommand, runCli } from '../support/cli-process';
import { childEnv } from '../support/node-process';
import { rawRedis, testRedisUrl } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const FIXTURE = join(__dirname, 'fixtures', 'cli-worker.module.ts');

/** `taskmill worker` in a child process, its output collected. */
class WorkerCommand {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[]) {
    const [node, ...rest] = cliCommand(['worker', ...args]);
    this.child = spawn(node, rest, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
    this.child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Resolves once the output contains `text`. */
  async shows(text: string): Promise<void> {
    while (!this.output.includes(text)) {
      if (this.child.exitCode !== null) throw new Error(`worker exited:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('taskmill worker', () => {
  let producer: TestApp;
  let worker: WorkerCommand | undefined;
  const redis = rawRedis();

  beforeAll(async () => {
    producer = await createTestApp([], { worker: { enabled: false } });
  });
  afterEach(() => {
    if (worker?.child.exitCode === null) worker.child.kill('SIGKILL');
    worker = undefined;
  });
  afterAll(async () => {
    redis.disconnect();
    await producer.close();
  });

  it('runs the tasks of an app module with the flags over its options, and stops cleanly on SIGTERM', async () => {
    worker = new WorkerCommand([
      '--module',
      FIXTURE,
      '--export',
      'CliWorkerModule',
      '--redis',
      testRedisUrl(),
      '--prefix',
      producer.prefix,
      '--queues',
      'cli-work',
      '--concurrency',
      '2',
    ]);
    await worker.shows('taskmill worker running on queues cli-work;');
    // The module's own options say concurrency 1 and a worker that is off.
    expect(worker.output).toContain('worker started on queues cli-work (concurrency 2)');

    const doubled = await producer.queue.enqueue('cli.double', [21], { queue: 'cli-work' });
    await expect(doubled.result({ timeout: 20_000 })).resolves.toBe(42);

    // A task still running at SIGTERM finishes before the process exits.
    const release = `${producer.prefix}:release`;
    const gated = await producer.queue.enqueue('cli.gated', [release], { queue: 'cli-work' });
    await firstValueFrom(gated.status$.pipe(filter((u) => u.status === TaskStatus.RUNNING)));
    worker.child.kill('SIGTERM');
    await worker.shows('SIGTERM: stopping');
    await redis.set(release, '1');
    await expect(worker.exited).resolves.toEqual({ code: 0, signal: null });
    await expect(gated.result({ timeout: 10_000 })).resolves.toBe('finished');
    expect(worker.output).toContain('taskmill worker stopped');
  }, 90_000);

  it('sizes the pool of thread and process tasks with --threads and --processes', async () => {
    worker = new WorkerCommand([
      '--module',
      join(__dirname, 'fixtures', 'cli-pool.module.ts'),
      '--export',
      'CliPoolModule',
      '--redis',
      testRedisUrl(),
      '--prefix',
      producer.prefix,
      '--concurrency',
      '4',
      '--threads',
      '2',
      '--processes',
      '1',
    ]);
    await worker.shows('taskmill worker running on queues cli-pool;');
    // Four blocking tasks at once over the two threads the flag asked for (the module says one).
    const threads = await Promise.all(
      [1, 2, 3, 4].map(async () =>
        (await producer.queue.enqueue('cli.pool.thread', [])).result({ timeout: 60_000 }),
      ),
    );
    expect(new Set(threads).size).toBe(2);
    expect(threads).not.toContain(0); // 0 is a process's main thread
    const pid = await (
      await producer.queue.enqueue('cli.pool.process', [])
    ).result({
      timeout: 60_000,
    });
    expect(pid).not.toBe(worker.child.pid);
    worker.child.kill('SIGTERM');
    await expect(worker.exited).resolves.toEqual({ code: 0, signal: null });
  }, 120_000);

  it('refuses a module file that is not there, or a class it does not export: exit code 2', async () => {
    const missing = await runCli(['worker', '--module', join(__dirname, 'fixtures', 'nope.js')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^taskmill: --module: no file at .*nope\.js\n$/);

    const unexported = await runCli(['worker', '--module', FIXTURE]);
    expect(unexported.code).toBe(2);
    expect(unexported.stderr).toMatch(
      /^taskmill: --module: .*cli-worker\.module\.ts exports no class "AppModule" \(it exports: CliWorkerTasks, CliWorkerModule\); name the module class with --export\n$/,
    );
  }, 60_000);
});
