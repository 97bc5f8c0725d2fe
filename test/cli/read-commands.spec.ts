import { Injectable } from '@nestjs/common';
import { NonRetryableError, Task, TaskHandle } from '../../lib';
import { connectionFlags, runCli } from '../support/cli-process';
import { failureOf } from '../support/failures';
import { createTestApp, TestApp } from '../support/test-app';

/** Task data is hostile: escape sequences that clear the screen, retitle it, reorder text. */
const HOSTILE = 'boom \x1b[2J\x1b]0;pwned\x07 \u009b31m \u202eevil';
const HOSTILE_ID = 'id\u202e\u009b2J';

@Injectable()
class CliTasks {
  @Task({ name: 'cli.echo', queue: 'cli-done' })
  async echo(text: string): Promise<{ echo: string }> {
    return { echo: text };
  }

  @Task({ name: 'cli.fail', queue: 'cli-done', retries: 0 })
  async fail(): Promise<never> {
    throw new NonRetryableError(HOSTILE);
  }
}

/** A table's rows (header first), cells split where two spaces or more stand. */
function rows(table: string): string[][] {
  return table
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {2,}/));
}

/** Nothing that a terminal would act on: no ESC, no C1 control, no bidirectional override. */
function expectInert(text: string): void {
  // eslint-disable-next-line no-control-regex
  expect(text).not.toMatch(/[\u001b\u0007\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
}

describe('taskmill read commands, on a real app and Redis', () => {
  let t: TestApp;
  let cli: (...args: string[]) => ReturnType<typeof runCli>;
  /**
   * `show <id>` with the id after `--`: a generated id may start with `-` (its alphabet is
   * base64url), which the parser would otherwise take for an option.
   */
  let show: (id: string, ...flags: string[]) => ReturnType<typeof runCli>;
  let done: TaskHandle;
  let failed: TaskHandle;
  let idle: TaskHandle[];
  let hostileArgs: TaskHandle;

  beforeAll(async () => {
    t = await createTestApp([CliTasks], { logging: false });
    cli = (...args) => runCli([...args, ...connectionFlags(t.prefix)]);
    show = (id, ...flags) => runCli(['show', ...flags, ...connectionFlags(t.prefix), '--', id]);
    done = await t.queue.enqueue('cli.echo', ['hi']);
    await done.result({ timeout: 10_000 });
    failed = await t.queue.enqueue('cli.fail', []);
    await failureOf(failed, 10_000);
    // The app's worker consumes 'cli-done' but has no handler for this name: its claim holds
    // the task (docs/flow-control.md), counted in `held` (and in `waiting`).
    await t.queue.enqueue('cli.unhosted', [], { queue: 'cli-done' });
    while ((await t.queue.stats('cli-done')).held !== 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // No worker consumes 'cli-idle' (no @Task of this app is in it): these stay waiting.
    idle = [
      await t.queue.enqueue('cli.later', [1], { queue: 'cli-idle', priority: 5 }),
      await t.queue.enqueue('cli.later', [2], { queue: 'cli-idle' }),
      await t.queue.enqueue('cli.later', [3], { queue: 'cli-idle', id: HOSTILE_ID }),
    ];
    hostileArgs = await t.queue.enqueue('cli.later', [HOSTILE], {
      queue: 'cli-idle',
      delay: 3_600_000,
      metadata: { note: HOSTILE },
    });
    await t.queue.schedule('cli.tick', { every: 3_600_000, queue: 'cli-idle', args: [HOSTILE] });
  }, 60_000);
  afterAll(() => t.close());

  it('queues: a table of every queue with its counts, and the same as JSON', async () => {
    const table = await cli('queues');
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(rows(table.stdout)).toEqual([
      ['QUEUE', 'WAITING', 'HELD', 'DELAYED', 'RUNNING', 'DEAD', 'PAUSED'],
      ['cli-done', '1', '1', '0', '0', '1', 'no'],
      ['cli-idle', '3', '0', '1', '0', '0', 'no'],
    ]);
    const json = await cli('queues', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(await t.queue.queues());
    expect(JSON.parse(json.stdout)).toMatchObject([{ queue: 'cli-done', waiting: 1, held: 1 }, {}]);
  }, 60_000);

  it('stats: one queue as an object, every queue as an array, recent outcomes included', async () => {
    const one = await cli('stats', 'cli-done', '--json');
    expect(one.code).toBe(0);
    const stats = await t.queue.stats('cli-done');
    expect(JSON.parse(one.stdout)).toEqual(stats);
    expect(stats.recent).toMatchObject({ succeeded: 1, failed: 1, cancelled: 0 });
    expect(stats).toMatchObject({ waiting: 1, held: 1 });

    const all = await cli('stats', '--json');
    const parsed = JSON.parse(all.stdout) as { queue: string; recent: { since: unknown } }[];
    expect(parsed.map((s) => s.queue)).toEqual(['cli-done', 'cli-idle']);
    expect(parsed[1]).toMatchObject({ waiting: 3, delayed: 1, deadLettered: 0 });

    const table = rows((await cli('stats', 'cli-done')).stdout);
    expect(table[0]).toEqual([
      'QUEUE',
      'WAITING',
      'HELD',
      'DELAYED',
      'RUNNING',
      'DEAD',
      'PAUSED',
      'SUCCEEDED',
      'FAILED',
      'CANCELLED',
      'SINCE',
    ]);
    expect(table[1].slice(0, 10)).toEqual([
      'cli-done',
      '1',
      '1',
      '0',
      '0',
      '1',
      'no',
      '1',
      '1',
      '0',
    ]);
  }, 60_000);

  it('list: a page of tasks in claim order, as a table and as JSON; hostile ids are escaped', async () => {
    const table = await cli('list', 'cli-idle', 'waiting');
    expect(table.code).toBe(0);
    expectInert(table.stdout);
    const [header, ...lines] = rows(table.stdout);
    expect(header).toEqual(['ID', 'TASK', 'STATUS', 'ATTEMPT', 'PRIORITY', 'ENQUEUED']);
    // Priority 0 before 5; the custom id shown with its controls escaped.
    expect(lines.map((line) => line[0])).toEqual([idle[1].id, 'id\\u202e\\x9b2J', idle[0].id]);
    expect(lines[2].slice(1, 5)).toEqual(['cli.later', 'submitted', '0', '5']);

    const json = await cli(
      'list',
      'cli-idle',
      'waiting',
      '--json',
      '--offset',
      '1',
      '--limit',
      '2',
    );
    const expected = await t.queue.list('cli-idle', 'waiting', { offset: 1, limit: 2 });
    expect(JSON.parse(json.stdout)).toEqual(expected);
    expect(expected.map((task) => task.id)).toEqual([HOSTILE_ID, idle[0].id]);
    expectInert(json.stdout);

    const delayed = JSON.parse((await cli('list', 'cli-idle', 'delayed', '--json')).stdout);
    expect(delayed).toEqual(await t.queue.list('cli-idle', 'delayed'));
    expect(delayed[0].dueAt).toBeGreaterThan(delayed[0].enqueuedAt);
  }, 60_000);

  it('show: status, result and history of a task that succeeded', async () => {
    const json = await show(done.id, '--json');
    expect(json.code).toBe(0);
    const view = JSON.parse(json.stdout);
    expect(Object.keys(view).sort()).toEqual([
      'args',
      'at',
      'attempt',
      'enqueuedAt',
      'error',
      'history',
      'id',
      'links',
      'metadata',
      'priority',
      'progress',
      'queue',
      'result',
      'status',
      'task',
    ]);
    expect(view).toMatchObject({
      id: done.id,
      task: 'cli.echo',
      queue: 'cli-done',
      status: 'succeeded',
      attempt: 1,
      error: null,
      progress: null,
      result: { echo: 'hi' },
      args: ['hi'],
      metadata: null,
      priority: 0,
      links: {},
    });
    expect(view.enqueuedAt).toBeLessThanOrEqual(view.at);
    expect(view.history).toEqual(await done.history());

    const text = (await show(done.id)).stdout;
    expect(text).toMatch(/^status +succeeded$/m);
    expect(text).toMatch(/^result +\{"echo":"hi"\}$/m);
    expect(text).toMatch(/^args +\["hi"\]$/m);
    expect(text).toMatch(/^succeeded +1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/m);
  }, 60_000);

  it('show: an id that starts with "-" goes after "--"', async () => {
    const dashed = await t.queue.enqueue('cli.later', [4], { queue: 'cli-idle', id: '-dashed' });
    try {
      const view = JSON.parse((await show(dashed.id, '--json')).stdout);
      expect(view).toMatchObject({ id: '-dashed', args: [4] });
      // Without "--" it reads as an unknown option: a usage error, exit code 2.
      const misread = await cli('show', '-dashed');
      expect(misread.code).toBe(2);
      expect(misread.stderr).toContain("unknown option '-dashed'");
    } finally {
      await dashed.cancel();
    }
  }, 60_000);

  it('show: the error of a failed task, escaped on the terminal and intact in JSON', async () => {
    const text = await show(failed.id);
    expect(text.code).toBe(0);
    expectInert(text.stdout);
    expect(text.stdout).toMatch(
      /^error +NonRetryableError: boom \\x1b\[2J\\x1b\]0;pwned\\x07 \\x9b31m \\u202eevil$/m,
    );
    const view = JSON.parse((await show(failed.id, '--json')).stdout);
    expect(view.error).toMatchObject({ name: 'NonRetryableError', message: HOSTILE });
    expect(view).toMatchObject({ status: 'failed', result: null });
  }, 60_000);

  it('show: arguments and metadata, escaped on the terminal and intact in JSON', async () => {
    const text = await show(hostileArgs.id);
    expect(text.code).toBe(0);
    expectInert(text.stdout);
    // Values are shown as JSON, whose escapes keep control characters inert too.
    expect(text.stdout).toMatch(/^args +\["boom \\u001b\[2J/m);
    expect(text.stdout).toMatch(/^metadata +\{"note":"boom \\u001b\[2J/m);
    const view = JSON.parse((await show(hostileArgs.id, '--json')).stdout);
    expect(view).toMatchObject({ args: [HOSTILE], metadata: { note: HOSTILE } });
  }, 60_000);

  it('dead list: failed tasks with their error, as a table and as JSON', async () => {
    const table = await cli('dead', 'list', 'cli-done');
    expect(table.code).toBe(0);
    expectInert(table.stdout);
    const [header, line] = rows(table.stdout);
    expect(header).toEqual(['ID', 'TASK', 'ATTEMPTS', 'FAILED', 'ERROR']);
    expect(line[0]).toBe(failed.id);
    expect(line[4]).toContain('NonRetryableError: boom \\x1b[2J');
    const json = await cli('dead', 'list', 'cli-done', '--json');
    expect(JSON.parse(json.stdout)).toEqual(await t.queue.deadLetters('cli-done'));
  }, 60_000);

  it('schedules: every schedule with its next run; arguments escaped', async () => {
    const [schedule] = await t.queue.schedules();
    const table = await cli('schedules');
    expectInert(table.stdout);
    const [header, line] = rows(table.stdout);
    expect(header).toEqual(['ID', 'TASK', 'QUEUE', 'WHEN', 'NEXT RUN', 'ARGS']);
    expect(line.slice(0, 4)).toEqual([schedule.id, 'cli.tick', 'cli-idle', 'every 3600000 ms']);
    const json = JSON.parse((await cli('schedules', '--json')).stdout);
    expect(json).toEqual([{ ...schedule, nextRunAt: schedule.nextRunAt.toISOString() }]);
  }, 60_000);

  it('says so when there is nothing to list', async () => {
    const empty = await runCli(['queues', ...connectionFlags(`${t.prefix}-empty`)]);
    expect(empty).toEqual({
      code: 0,
      stdout: `no queue under prefix "${t.prefix}-empty"\n`,
      stderr: '',
    });
    const none = await cli('list', 'cli-done', 'running');
    expect(none).toEqual({ code: 0, stdout: 'no running task in "cli-done"\n', stderr: '' });
    expect(JSON.parse((await cli('list', 'cli-done', 'running', '--json')).stdout)).toEqual([]);
  }, 60_000);
});
