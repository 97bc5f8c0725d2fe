import { Injectable } from '@nestjs/common';
import { ChildProcessByStdio, spawn } from 'child_process';
import { createInterface } from 'readline';
import { Readable } from 'stream';
import { Task, TaskStatus } from '../../lib';
import { failureOf } from '../support/failures';
import { supportScript } from '../support/node-process';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const LEASE_MS = 1000;

@Injectable()
class Finisher {
  @Task({ name: 'fault.hang', queue: 'fault' })
  async finish(): Promise<string> {
    return 'finished by the survivor';
  }

  @Task({ name: 'fault.block', queue: 'fault' })
  async fresh(): Promise<string> {
    return 'fresh';
  }
}

/** A worker process (test/support/worker-process.ts) whose lines can be awaited. */
class WorkerProcess {
  private readonly child: ChildProcessByStdio<null, Readable, null>;
  private readonly lines: string[] = [];
  private waiter?: { prefix: string; resolve: (line: string) => void };

  constructor(prefix: string, maxReclaims: number) {
    this.child = spawn(
      process.execPath,
      supportScript('worker-process.ts', testRedisUrl(), prefix, LEASE_MS, maxReclaims),
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (this.waiter && line.startsWith(this.waiter.prefix)) this.waiter.resolve(line);
      else this.lines.push(line);
    });
  }

  next(prefix: string): Promise<string> {
    const seen = this.lines.findIndex((line) => line.startsWith(prefix));
    if (seen !== -1) return Promise.resolve(this.lines.splice(seen, 1)[0]);
    return new Promise((resolve) => (this.waiter = { prefix, resolve }));
  }

  kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}

describe('a worker that dies mid-task', () => {
  const apps: TestApp[] = [];
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()));
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('loses nothing: after its lease expires another worker runs the task to one outcome', async () => {
    const prefix = uniquePrefix();
    const producer = await createTestApp([], { prefix, worker: { enabled: false } });
    apps.push(producer);
    const doomed = new WorkerProcess(prefix, 2);
    workers.push(doomed);
    await doomed.next('ready');
    const handle = await producer.queue.enqueue('fault.hang', [], { queue: 'fault' });
    expect(await doomed.next('started')).toBe(`started ${handle.id} 1`);
    await doomed.kill();

    const survivor = await createTestApp([Finisher], { prefix, worker: { leaseMs: LEASE_MS } });
    apps.push(survivor);
    await expect(handle.result({ timeout: 15_000 })).resolves.toBe('finished by the survivor');
    const history = await handle.history();
    expect(history.map((h) => `${h.status}@${h.attempt}`)).toEqual([
      'submitted@0',
      'running@1',
      'submitted@1',
      'running@2',
      'succeeded@2',
    ]);
  }, 60_000);

  it('fences the late outcome of a worker that blocked its event loop past the lease', async () => {
    const prefix = uniquePrefix();
    const producer = await createTestApp([], { prefix, worker: { enabled: false } });
    apps.push(producer);
    const blocked = new WorkerProcess(prefix, 2);
    workers.push(blocked);
    await blocked.next('ready');
    const handle = await producer.queue.enqueue('fault.block', [4 * LEASE_MS], { queue: 'fault' });
    expect(await blocked.next('started')).toBe(`started ${handle.id} 1`);
    const other = await createTestApp([Finisher], { prefix, worker: { leaseMs: LEASE_MS } });
    apps.push(other);
    await expect(handle.result({ timeout: 15_000 })).resolves.toBe('fresh');
    // Let the blocked worker come back and try to record 'late': it must be fenced out.
    await new Promise((resolve) => setTimeout(resolve, 4 * LEASE_MS));
    const history = await handle.history();
    expect(history.filter((h) => h.status === TaskStatus.SUCCEEDED)).toHaveLength(1);
    expect(await producer.queue.handle(handle.id).result()).toBe('fresh');
    expect((await handle.status()).attempt).toBe(2);
  }, 60_000);

  it('fails a task that keeps killing its workers as poisonous after maxReclaims', async () => {
    const prefix = uniquePrefix();
    const producer = await createTestApp([], { prefix, worker: { enabled: false } });
    apps.push(producer);
    let worker = new WorkerProcess(prefix, 1);
    workers.push(worker);
    await worker.next('ready');
    const handle = await producer.queue.enqueue('fault.hang', [], { queue: 'fault' });
    for (const attempt of [1, 2]) {
      expect(await worker.next('started')).toBe(`started ${handle.id} ${attempt}`);
      await worker.kill();
      workers.splice(workers.indexOf(worker), 1);
      worker = new WorkerProcess(prefix, 1);
      workers.push(worker);
    }
    const error = await failureOf(handle, 15_000);
    expect(error.remoteName).toBe('PoisonTaskError');
    expect(error.remoteMessage).toContain('2 times');
    expect((await handle.status()).status).toBe(TaskStatus.FAILED);
  }, 60_000);
});
