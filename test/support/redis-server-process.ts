import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';

/**
 * One redis-server process (plain, replica or sentinel) of a topology a test starts itself, on
 * 127.0.0.1 with its log in `dir`. `args` come after the config file, if any.
 */
export function spawnRedisServer(dir: string, name: string, args: string[]): ChildProcess {
  return spawn(
    'redis-server',
    [...args, '--bind', '127.0.0.1', '--logfile', join(dir, `${name}.log`)],
    { stdio: 'ignore' },
  );
}

/** The base arguments of a data server without persistence, on `port`. */
export function dataServerArgs(dir: string, name: string, port: number): string[] {
  return [
    '--port',
    String(port),
    '--dir',
    dir,
    '--dbfilename',
    `${name}.rdb`,
    '--save',
    '',
    '--appendonly',
    'no',
    // A replica's first sync starts at once, not after the default 5 s wait for others.
    '--repl-diskless-sync-delay',
    '0',
  ];
}

/** Sends `signal` and resolves once the process has exited (at once if it already has). */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Polls `check` every 50 ms until it returns true; fails after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
