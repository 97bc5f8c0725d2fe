import { ChildProcessByStdio, spawn } from 'child_process';
import { createInterface } from 'readline';
import { Readable } from 'stream';
import { childEnv, supportScript } from './node-process';
import { testRedisUrl } from './redis';
import type { WorkerProcessSettings } from './worker-process';

/** The defaults of a worker process: a short lease, so that a killed worker's tasks return soon. */
const DEFAULTS = { leaseMs: 1000, maxReclaims: 2, concurrency: 10 };

/**
 * A worker running in a child process (test/support/worker-process.ts) on the test Redis, whose
 * output lines can be awaited and which can be SIGKILLed.
 */
export class WorkerProcess {
  private readonly child: ChildProcessByStdio<null, Readable, null>;
  private readonly lines: string[] = [];
  private waiter?: { prefix: string; resolve: (line: string) => void };
  /** True once the worker printed "ready": it runs tasks from then on. */
  ready = false;

  constructor(
    prefix: string,
    settings: Partial<Omit<WorkerProcessSettings, 'prefix'>> | object = {},
    /** The test/support script the process runs (flow-worker-process.ts takes other settings). */
    script = 'worker-process.ts',
  ) {
    const all = { url: testRedisUrl(), ...DEFAULTS, ...settings, prefix };
    this.child = spawn(process.execPath, supportScript(script, JSON.stringify(all)), {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: childEnv(),
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (line === 'ready') this.ready = true;
      if (this.waiter && line.startsWith(this.waiter.prefix)) {
        this.waiter.resolve(line);
        this.waiter = undefined;
      } else this.lines.push(line);
    });
  }

  /** The next line starting with `prefix` (lines are kept until someone asks for them). */
  next(prefix: string): Promise<string> {
    const seen = this.lines.findIndex((line) => line.startsWith(prefix));
    if (seen !== -1) return Promise.resolve(this.lines.splice(seen, 1)[0]);
    return new Promise((resolve) => (this.waiter = { prefix, resolve }));
  }

  /** False once the process exited. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: no shutdown hooks, no hand-back; resolves once the process is gone. */
  kill(): Promise<void> {
    if (!this.alive) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
