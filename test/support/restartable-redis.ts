import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort, waitUntilListening } from '../../lib/testing/redis-process';

/**
 * A private redis-server with AOF (appendfsync always) that a fault test can kill and start
 * again on the same port and data directory, or freeze (SIGSTOP) and thaw (SIGCONT); with
 * `{ persistence: false }`, without AOF, so that it restarts empty (and a test may FLUSHALL it:
 * no other test uses it).
 */
export class RestartableRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'taskmill-faults-'));
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly persistence: boolean,
  ) {}

  static async start({ persistence = true } = {}): Promise<RestartableRedis> {
    const redis = new RestartableRedis(await freePort(), persistence);
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        this.persistence ? 'yes' : 'no',
        '--appendfsync',
        'always',
        '--logfile',
        join(this.dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    await waitUntilListening(this.port, this.child);
  }

  /**
   * SIGSTOP: the server stops without closing a socket, as on a long GC-like pause or a VM
   * stall; clients' calls wait in its socket buffers. Returns once the process is stopped.
   */
  freeze(): void {
    const pid = this.running().pid as number;
    process.kill(pid, 'SIGSTOP');
    // The signal is delivered asynchronously: wait (a few µs) until the kernel says stopped.
    while (!/^\d+ \(.*\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) {
      // spin
    }
  }

  /** SIGCONT: the frozen server goes on, starting with the calls that waited. */
  thaw(): void {
    process.kill(this.running().pid as number, 'SIGCONT');
  }

  /** SIGKILL: no shutdown, only what AOF already has survives. */
  kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  private running(): ChildProcess {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      throw new Error('redis-server is not running');
    }
    return child;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
