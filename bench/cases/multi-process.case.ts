import { ChildProcessByStdio, spawn } from 'child_process';
import { Readable, Writable } from 'stream';
import { join } from 'path';
import { createInterface } from 'readline';
import { compiledWorkerScript } from '../compiled-workers';
import { BenchCase, prefill, sized } from './bench-case';

const WORKERS = 2;
const CONCURRENCY = 10;

interface Waiter {
  prefix: string;
  resolve: (line: string) => void;
  reject: (error: Error) => void;
}

/**
 * A worker process speaking worker-process.ts's line protocol. One that ends before it is told
 * to stop (a crash, an unknown library) fails what awaits it, instead of leaving the case
 * waiting for lines that never come.
 */
class WorkerProcess {
  done = 0;
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private waiting?: Waiter;
  private stopping = false;
  private crash?: Error;
  onProgress: () => void = () => undefined;
  onCrash: (error: Error) => void = () => undefined;

  constructor(library: string, url: string, compiled: boolean) {
    // The tiny guard run skips compiling (seconds) and runs the TypeScript source.
    const command = compiled
      ? [compiledWorkerScript()]
      : ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', 'worker-process.ts')];
    this.child = spawn(process.execPath, [...command, library, url, String(CONCURRENCY)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.receive(line));
    this.child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.crashed(new Error(`${library} worker process ended early (${signal ?? code})`));
    });
  }

  /** Resolves with the next line starting with `prefix`. */
  expect(prefix: string): Promise<string> {
    if (this.crash) return Promise.reject(this.crash);
    return new Promise((resolve, reject) => (this.waiting = { prefix, resolve, reject }));
  }

  send(line: string): void {
    if (line === 'stop') this.stopping = true;
    this.child.stdin.write(`${line}\n`);
  }

  /** Ends the process if it still runs: after a failure, so that none outlives the case. */
  kill(): void {
    this.stopping = true;
    if (this.child.exitCode === null) this.child.kill();
  }

  private crashed(error: Error): void {
    this.crash = error;
    this.waiting?.reject(error);
    this.waiting = undefined;
    this.onCrash(error);
  }

  private receive(line: string): void {
    if (line.startsWith('done ')) {
      this.done = Number(line.slice(5));
      this.onProgress();
    }
    if (this.waiting && line.startsWith(this.waiting.prefix)) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(line);
    }
  }
}

/** Resolves once the workers together reported `count` completions; rejects if one crashes. */
function allDone(workers: WorkerProcess[], count: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    for (const worker of workers) {
      worker.onCrash = reject;
      worker.onProgress = () => {
        if (workers.reduce((sum, w) => sum + w.done, 0) >= count) resolve();
      };
    }
  });
}

/** Stops every worker; their CPU time (ms) since 'go' and peak RSS (KiB). */
function stopAll(workers: WorkerProcess[]): Promise<{ cpuMs: number; maxRssKiB: number }[]> {
  return Promise.all(
    workers.map(async (worker) => {
      const reply = worker.expect('stats');
      worker.send('stop');
      const [, cpuMs, maxRssKiB] = (await reply).split(' ').map(Number);
      return { cpuMs, maxRssKiB };
    }),
  );
}

async function measure(workers: WorkerProcess[], count: number): Promise<Record<string, number>> {
  await Promise.all(workers.map((worker) => worker.expect('ready')));
  const done = allDone(workers, count);
  const startedAt = performance.now();
  for (const worker of workers) worker.send('go');
  await done;
  const seconds = (performance.now() - startedAt) / 1000;
  const stats = await stopAll(workers);
  const cpu = stats.reduce((sum, s) => sum + s.cpuMs, 0);
  return {
    rate: count / seconds,
    cpu: (cpu / count) * 1000,
    rss: Math.max(...stats.map((s) => s.maxRssKiB)) / 1024,
  };
}

/**
 * Case 6: a producer (this process) and two worker processes, so results do not hinge on one
 * event loop; also each worker's CPU per 1,000 tasks and peak RSS.
 */
export const multiProcessCase: BenchCase = {
  metrics: [
    {
      key: 'rate',
      label: `process pre-filled tasks, ${WORKERS} worker processes × concurrency ${CONCURRENCY}`,
      unit: 'tasks/s',
      better: 'higher',
    },
    { key: 'cpu', label: 'worker process CPU per 1,000 tasks', unit: 'ms', better: 'lower' },
    { key: 'rss', label: 'worker process peak RSS', unit: 'MiB', better: 'lower' },
  ],
  async run(subject, context) {
    const count = sized(context, 50_000, 2_000);
    await prefill(subject, count, true);
    const compiled = context.scale !== 'tiny';
    // The worker processes build the same library's subject by its name (subjects/roster.ts).
    const workers = Array.from(
      { length: WORKERS },
      () => new WorkerProcess(subject.name, context.url, compiled),
    );
    try {
      return await measure(workers, count);
    } catch (error) {
      for (const worker of workers) worker.kill();
      throw error;
    }
  },
};
