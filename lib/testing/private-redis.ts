import { ChildProcess, spawn, spawnSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort, waitUntilListening } from './redis-process';
import { RedisServerUnavailableError } from './redis-server-unavailable.error';

export { RedisServerUnavailableError };

/** A redis-server started for one test run or demo, on a free port in a temporary directory. */
export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** Install Debian's redis-server with apt-get when none is found and we are root. */
  installIfMissing?: boolean;
  /** Extra redis-server arguments, e.g. `['--appendonly', 'yes']`. */
  args?: string[];
  /** Where progress messages go (installation can take a while). Default: nowhere. */
  log?: (message: string) => void;
}

const BINARIES = ['redis-server', 'valkey-server'];

/**
 * Starts a private redis-server (persistence off by default) and resolves once it answers.
 * It never touches port 6379 or any data it did not create; `stop()` removes its directory.
 */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const binary = findBinary() ?? installBinary(options);
  const dir = mkdtempSync(join(tmpdir(), 'taskmill-redis-'));
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--logfile',
      join(dir, 'redis.log'),
      ...(options.args ?? []),
    ],
    { stdio: 'ignore' },
  );
  // If this process exits without calling stop() (a crash, process.exit), take Redis along.
  const onExit = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const stop = () => {
    process.removeListener('exit', onExit);
    return stopProcess(child, dir);
  };
  try {
    await waitUntilListening(port, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, port, dir, process: child, stop };
}

function findBinary(): string | undefined {
  return BINARIES.find((name) => spawnSync(name, ['--version']).status === 0);
}

function installBinary(options: PrivateRedisOptions): string {
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version']).status === 0;
  if (!options.installIfMissing || !isRoot || !hasApt) {
    throw new RedisServerUnavailableError('no redis-server (or valkey-server) on PATH');
  }
  options.log?.('redis-server not found: installing Debian package redis-server with apt-get ...');
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', 'redis-server'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
    if (!install()) throw new RedisServerUnavailableError('apt-get install redis-server failed');
  }
  const binary = findBinary();
  if (!binary) throw new RedisServerUnavailableError('redis-server is still missing after install');
  return binary;
}

function stopProcess(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGTERM');
  });
}

/** `startRedis()`, the name the API contract gives startPrivateRedis: the same function. */
export const startRedis = startPrivateRedis;
