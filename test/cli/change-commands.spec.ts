import { Injectable } from '@nestjs/common';
import { NonRetryableError, Task } from '../../lib';
import { waitUntilIdle } from '../../lib/testing';
import { connectionFlags, runCli, runCliInTerminal } from '../support/cli-process';
import { failureOf } from '../support/failures';
import { rawRedis, dataOf } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class Failing {
  @Task({ name: 'cli.fail', queue: 'cli-dead', retries: 0 })
  async fail(): Promise<never> {
    throw new NonRetryableError('no');
  }
}

const DEAD_QUEUES = ['cli-dead-requeue', 'cli-dead-purge', 'cli-dead-tty', 'cli-dead-refused'];

describe('taskmill commands that change queues', () => {
  let t: TestApp;
  const redis = rawRedis();
  const flags = () => connectionFlags(t.prefix);
  const cli = (...args: string[]) => runCli([...args, ...flags()]);
  const inTerminal = (args: string[], answer?: string) =>
    runCliInTerminal([...args, ...flags()], answer);
  const deadIds: Record<string, string[]> = {};

  /** Three failed tasks in each dead-letter queue, failed by a worker app that is then closed. */
  async function makeDeadLetters(prefix: string): Promise<void> {
    const failer = await createTestApp([Failing], {
      prefix,
      logging: false,
      worker: { queues: DEAD_QUEUES },
    });
    for (const queue of DEAD_QUEUES) {
      const handles = await Promise.all(
        [1, 2, 3].map(() => failer.queue.enqueue('cli.fail', [], { queue })),
      );
      for (const handle of handles) await failureOf(handle, 10_000);
      deadIds[queue] = handles.map((handle) => handle.id).sort();
    }
    await failer.close();
  }

  async function waitingTasks(queue: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await t.queue.enqueue('cli.idle', [i], { queue, delay: i % 2 === 0 ? 0 : 3_600_000 });
    }
  }

  beforeAll(async () => {
    t = await createTestApp([], { worker: { enabled: false } });
    await makeDeadLetters(t.prefix);
  }, 60_000);
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  it('pause and resume: say whether they changed anything', async () => {
    await waitingTasks('cli-pause', 1);
    const paused = await cli('pause', 'cli-pause', '--json');
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toEqual({ queue: 'cli-pause', paused: true, changed: true });
    expect((await t.queue.stats('cli-pause')).paused).toBe(true);
    const again = await cli('pause', 'cli-pause');
    expect(again).toEqual({
      code: 0,
      stdout: 'Queue "cli-pause" was paused already.\n',
      stderr: '',
    });
    const resumed = await cli('resume', 'cli-pause');
    expect(resumed).toEqual({ code: 0, stdout: 'Queue "cli-pause" resumed.\n', stderr: '' });
    expect((await t.queue.stats('cli-pause')).paused).toBe(false);
    const notPaused = await cli('resume', 'cli-pause', '--json');
    expect(JSON.parse(notPaused.stdout)).toEqual({
      queue: 'cli-pause',
      paused: false,
      changed: false,
    });
  }, 60_000);

  it('refuses drain, dead requeue and dead purge without --yes when there is no terminal', async () => {
    await waitingTasks('cli-refused', 2);
    const before = await dataOf(redis, t.prefix);
    for (const args of [
      ['drain', 'cli-refused'],
      ['dead', 'requeue', 'cli-dead-refused'],
      ['dead', 'purge', 'cli-dead-refused'],
    ]) {
      const run = await cli(...args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(
        /^taskmill: .* needs confirmation and there is no terminal to ask on: pass --yes\n$/,
      );
    }
    expect(await dataOf(redis, t.prefix)).toEqual(before);
  }, 60_000);

  it('drain --yes when piped: cancels waiting and delayed tasks, no progress bar', async () => {
    await waitingTasks('cli-drain', 4);
    const run = await cli('drain', 'cli-drain', '--yes');
    expect(run).toEqual({ code: 0, stdout: 'Cancelled 4 task(s).\n', stderr: '' });
    expect(await t.queue.stats('cli-drain')).toMatchObject({ waiting: 0, delayed: 0 });
    const json = await cli('drain', 'cli-drain', '--yes', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ queue: 'cli-drain', cancelled: 0 });
  }, 60_000);

  it('on a terminal, drain asks first: "n" changes nothing and exits 1', async () => {
    await waitingTasks('cli-ask', 3);
    const before = await dataOf(redis, t.prefix);
    const run = await inTerminal(['drain', 'cli-ask'], 'n');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Cancel every waiting and delayed task of "cli-ask"? [y/N] ');
    expect(run.stdout).toContain('Nothing was changed.');
    expect(run.stdout).not.toContain('Draining');
    expect(await dataOf(redis, t.prefix)).toEqual(before);
  }, 60_000);

  it('on a terminal, drain answered "y" drains with a progress bar', async () => {
    await waitingTasks('cli-ask-yes', 3);
    const run = await inTerminal(['drain', 'cli-ask-yes'], 'y');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Draining cli-ask-yes \[#{30}\] 100% 3\/3/);
    expect(run.stdout).toContain('Cancelled 3 task(s).');
    expect(await t.queue.stats('cli-ask-yes')).toMatchObject({ waiting: 0, delayed: 0 });
  }, 60_000);

  it('dead requeue --yes: every failed task runs again; JSON names them', async () => {
    const run = await cli('dead', 'requeue', 'cli-dead-requeue', '--yes', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const { queue, requeued } = JSON.parse(run.stdout) as { queue: string; requeued: string[] };
    expect(queue).toBe('cli-dead-requeue');
    expect([...requeued].sort()).toEqual(deadIds['cli-dead-requeue']);
    expect(await t.queue.stats('cli-dead-requeue')).toMatchObject({ deadLettered: 0, waiting: 3 });
  }, 60_000);

  it('dead purge --id: deletes just those tasks', async () => {
    const [first] = deadIds['cli-dead-purge'];
    const run = await cli('dead', 'purge', 'cli-dead-purge', '--id', first, '--yes', '--json');
    expect(JSON.parse(run.stdout)).toEqual({ queue: 'cli-dead-purge', purged: 1 });
    const left = (await t.queue.deadLetters('cli-dead-purge')).map((letter) => letter.id).sort();
    expect(left).toEqual(deadIds['cli-dead-purge'].slice(1));
    const rest = await cli('dead', 'purge', 'cli-dead-purge', '--yes');
    expect(rest).toEqual({ code: 0, stdout: 'Deleted 2 dead task(s).\n', stderr: '' });
  }, 60_000);

  it('dead requeue of more than one batch (1 000 a call) requeues all there were, with the bar', async () => {
    const failer = await createTestApp([Failing], {
      prefix: t.prefix,
      logging: false,
      worker: { queues: ['cli-dead-many'], concurrency: 50 },
    });
    const requests = Array.from({ length: 1001 }, () => ({
      task: 'cli.fail',
      options: { queue: 'cli-dead-many' },
    }));
    await failer.queue.enqueueMany(requests);
    await waitUntilIdle(failer.app, { timeout: 120_000 });
    await failer.close();
    expect((await t.queue.stats('cli-dead-many')).deadLettered).toBe(1001);

    const run = await inTerminal(['dead', 'requeue', 'cli-dead-many', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Requeueing dead tasks of cli-dead-many \[#{30}\] 100% 1001\/1001/);
    // Drawn after each call, in place: 1 000 after the first.
    expect(run.stdout).toMatch(/\r.*\] 99% 1000\/1001/);
    expect(run.stdout).toContain('Requeued 1001 task(s).');
    expect(await t.queue.stats('cli-dead-many')).toMatchObject({ deadLettered: 0, waiting: 1001 });
  }, 180_000);

  it('dead purge --yes on a terminal shows a progress bar; no question is asked', async () => {
    const run = await inTerminal(['dead', 'purge', 'cli-dead-tty', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('[y/N]');
    expect(run.stdout).toMatch(/Purging dead tasks of cli-dead-tty \[#{30}\] 100% 3\/3/);
    expect(run.stdout).toContain('Deleted 3 dead task(s).');
    expect((await t.queue.stats('cli-dead-tty')).deadLettered).toBe(0);
  }, 60_000);
});
