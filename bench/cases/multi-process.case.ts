import { ChildProcessByStdio, spawn } from 'child_process';
import { Readable, Writable } from 'stream';
import { join } from 'path';
import { createInterface } from 'readline';
import { compiledWorkerScript } from '../compiled-workers';
import { BenchCase, prefill, sized } from './bench-case';

const WORKERS = 2;
const CONCURRENCY = 10;

/** A worker process speaking worker-process.ts's line protocol. */
class WorkerProcess {
  done = 0;
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private waiting?: { prefix: string; resolve: (line: string) => void };
  onProgress: () => void = () => undefined;

  constructor(library: string, url: string, compiled: boolean) {
    // The tiny guard run skips compiling (seconds) and runs the TypeScript source.
    const command = compiled
      ? [compiledWorkerScript()]
      : ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', 'worker-process.ts')];
    this.child = spawn(process.execPath, [...command, library, url, String(CONCURRENCY)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.receive(line));
  }

  /** Resolves with the next line starting with `prefix`. */
  expect(prefix: string): Promise<string> {
    return new Promise((resolve) => (this.waiting = { prefix, resolve }));
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
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
    const { url } = context;
    const count = sized(context, 50_000, 2_000);
    await prefill(subject, count, true);
    const compiled = context.scale !== 'tiny';
    // The worker processes build the same library's subject by its name (subjects/roster.ts).
    const workers = Array.from(
      { length: WORKERS },
      () => new WorkerProcess(subject.name, url, compiled),
    );
    await Promise.all(workers.map((worker) => worker.expect('ready')));
    const allDone = new Promise<void>((resolve) => {
      for (const worker of workers) {
        worker.onProgress = () => {
          if (workers.reduce((sum, w) => sum + w.done, 0) >= count) resolve();
        };
      }
    });
    const startedAt = performance.now();
    for (const worker of workers) worker.send('go');
    await allDone;
    const seconds = (performance.now() - startedAt) / 1000;
    const stats = await Promise.all(
      workers.map(async (worker) => {
        const reply = worker.expect('stats');
        worker.send('stop');
        const [, cpuMs, maxRssKiB] = (await reply).split(' ').map(Number);
        return { cpuMs, maxRssKiB };
      }),
    );
    const cpu = stats.reduce((sum, s) => sum + s.cpuMs, 0);
    return {
      rate: count / seconds,
      cpu: (cpu / count) * 1000,
      rss: Math.max(...stats.map((s) => s.maxRssKiB)) / 1024,
    };
  },
};
