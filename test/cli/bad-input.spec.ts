import { readFileSync } from 'fs';
import { join } from 'path';
import { CliRun, connectionFlags, runCli } from '../support/cli-process';
import { dataOf, rawRedis, testRedisUrl } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

function packageVersion(): string {
  const file = join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** One line on stderr, nothing on stdout. */
function expectOneLine(run: { stdout: string; stderr: string }, pattern: RegExp): void {
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
}

describe('taskmill on bad input: one line on stderr, the right exit code, nothing changed', () => {
  let t: TestApp;
  let cli: (...args: string[]) => ReturnType<typeof runCli>;
  const redis = rawRedis();

  beforeAll(async () => {
    t = await createTestApp([], { worker: { enabled: false } });
    cli = (...args) => runCli([...args, ...connectionFlags(t.prefix)]);
    await t.queue.enqueue('cli.idle', [1], { queue: 'cli-bad' });
    await t.queue.enqueue('cli.idle', [2], { queue: 'cli-bad', delay: 3_600_000 });
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  it('an unreachable Redis fails fast with exit code 1', async () => {
    const run = await runCli([
      'queues',
      '--redis',
      'redis://127.0.0.1:1',
      '--connect-timeout',
      '300',
    ]);
    expect(run.code).toBe(1);
    expectOneLine(
      run,
      /^taskmill: Redis at 127\.0\.0\.1:1 .*did not answer within 300 ms.*--redis/,
    );
  }, 60_000);

  it('an unknown queue: exit code 1, for reads and changes alike, and nothing written', async () => {
    const before = await dataOf(redis, t.prefix);
    const runs: Promise<{ args: string[]; run: CliRun }>[] = [];
    for (const args of [
      ['stats', 'nope'],
      ['list', 'nope', 'waiting'],
      ['dead', 'list', 'nope'],
      ['pause', 'nope'],
      ['drain', 'nope', '--yes'],
      ['dead', 'purge', 'nope', '--yes'],
    ]) {
      runs.push(cli(...args).then((run) => ({ args, run })));
    }
    // The command lines run side by side: each is a Node process of its own.
    for (const { args, run } of await Promise.all(runs)) {
      expect({ args, code: run.code }).toEqual({ args, code: 1 });
      expectOneLine(
        run,
        /^taskmill: unknown queue "nope": .*"taskmill queues" lists the known ones/,
      );
    }
    expect(await dataOf(redis, t.prefix)).toEqual(before);
  }, 120_000);

  it('an unknown task id: exit code 1; an id that cannot be one: exit code 2', async () => {
    const unknown = await cli('show', 'no-such-task');
    expect(unknown.code).toBe(1);
    expectOneLine(unknown, /^taskmill: No task with id "no-such-task" exists/);
    const malformed = await cli('show', 'two words');
    expect(malformed.code).toBe(2);
    expectOneLine(
      malformed,
      /^taskmill: Invalid option "id": "two words" must not contain whitespace/,
    );
  }, 60_000);

  it("a custom id without --queue in the 'queue' key layout: exit code 2, naming the flag", async () => {
    const flags = ['--redis', testRedisUrl(), '--prefix', t.prefix, '--key-layout', 'queue'];
    const run = await runCli(['show', 'invoice-42', ...flags]);
    expect(run.code).toBe(2);
    expectOneLine(
      run,
      /^taskmill: task "invoice-42" has a custom id.*pass its queue with --queue <queue>\n$/,
    );
  }, 60_000);

  it('a malformed state name: exit code 2, naming the valid ones', async () => {
    const run = await cli('list', 'cli-bad', 'finished');
    expect(run.code).toBe(2);
    expectOneLine(run, /'finished' is invalid .*waiting, delayed, running, dead/);
  }, 60_000);

  it('bad numbers and names: exit code 2, before Redis is reached', async () => {
    const cases: [string[], RegExp][] = [
      [['list', 'cli-bad', 'waiting', '--limit', '0'], /--limit.*'0' is invalid.*from 1 to 1000/],
      [['list', 'cli-bad', 'waiting', '--limit', 'ten'], /--limit.*'ten' is invalid/],
      [['list', 'cli-bad', 'waiting', '--offset', '-1'], /--offset.*'-1' is invalid/],
      [['dead', 'list', 'cli-bad', '--limit', '1.5'], /--limit.*'1.5' is invalid/],
      [['queues', '--connect-timeout', 'soon'], /--connect-timeout.*'soon' is invalid/],
      [['worker', '--module', 'x.js', '--concurrency', '0'], /--concurrency.*'0' is invalid/],
      [['stats', 'bad name!'], /^taskmill: Invalid option "queue": "bad name!" may only contain/],
      [['queues', '--key-layout', 'slots'], /'slots' is invalid.*prefix, queue/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(...args)));
    cases.forEach(([args, pattern], i) => {
      expect({ args, code: runs[i].code }).toEqual({ args, code: 2 });
      expectOneLine(runs[i], pattern);
    });
  }, 120_000);

  it('misuse of the command line: exit code 2', async () => {
    const unknownCommand = await runCli(['frobnicate']);
    expect(unknownCommand.code).toBe(2);
    expectOneLine(unknownCommand, /unknown command 'frobnicate'/);
    const unknownOption = await runCli(['queues', '--colour']);
    expect(unknownOption.code).toBe(2);
    expectOneLine(unknownOption, /unknown option '--colour'/);
    const missing = await runCli(['list', 'cli-bad']);
    expect(missing.code).toBe(2);
    expectOneLine(missing, /missing required argument 'state'/);
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: taskmill');
  }, 60_000);

  it('--help, help <command> and --version exit 0', async () => {
    const help = await runCli(['drain', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: taskmill drain [options] <queue>');
    expect(help.stdout).toContain('--yes');
    const helpCommand = await runCli(['help', 'queues']);
    expect(helpCommand.code).toBe(0);
    expect(helpCommand.stdout).toContain('Usage: taskmill queues [options]');
    const version = await runCli(['--version']);
    expect(version).toEqual({
      code: 0,
      stdout: `${packageVersion()}\n`,
      stderr: '',
    });
  }, 60_000);
});
