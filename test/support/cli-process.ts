import { spawn } from 'child_process';
import { join } from 'path';
import { childEnv } from './node-process';
import { keyLayoutInTests, testRedisUrl } from './redis';

/** What a run of the CLI left: its exit code and output (pty output has \r\n made \n). */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const root = join(__dirname, '..', '..');

/**
 * The real `taskmill` command line in a child Node process: lib/cli/main.ts, transpiled through
 * the test run's shared cache (as the worker processes are), so that no build is needed.
 */
export function cliCommand(args: string[]): string[] {
  const main = join(root, 'lib', 'cli', 'main.ts');
  return [process.execPath, '-r', join(__dirname, 'cached-transpile.js'), main, ...args];
}

/** The flags that point a command at the test Redis and a prefix. */
export function connectionFlags(prefix: string): string[] {
  return ['--redis', testRedisUrl(), '--prefix', prefix, '--key-layout', keyLayoutInTests()];
}

/** Runs the CLI with stdin, stdout and stderr piped (no terminal), as a script would. */
export function runCli(args: string[]): Promise<CliRun> {
  const [node, ...rest] = cliCommand(args);
  const child = spawn(node, rest, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are a
 * terminal, so prompts and progress bars show. Output of both streams arrives merged, as `stdout`.
 * When the output shows `[y/N]`, `answer` is typed, as a person would.
 */
export function runCliInTerminal(args: string[], answer?: string): Promise<CliRun> {
  const command = cliCommand(args).map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: childEnv(),
  });
  let output = '';
  let stderr = '';
  let answered = false;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (answer !== undefined && !answered && output.includes('[y/N]')) {
      answered = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, stdout: output.replace(/\r\n/g, '\n'), stderr });
    });
  });
}
