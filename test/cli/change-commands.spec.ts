import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom } from 'rxjs';
import { NonRetryableError, Task, TaskStatus, UnknownQueueError } from '../../lib';
import { waitUntilIdle } from '../../lib/testing';
import { connectionFlags, runCli, runCliInTerminal } from '../support/cli-process';
import { failureOf } from '../support/failures';
import { rawRedis, dataOf } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

/** Runs of cli.hold wait here until the test opens it: tasks that run for as long as needed. */
const gate = { open: false, waiting: [] as (() => void)[] };

@Injectable()
class Holding {
  @Task({ name: 'cli.hold', queue: 'cli-busy' })
  async hold(): Promise<void> {
    if (!gate.open) await new Promise<void>((resolve) => gate.waiting.push(resolve));
  }
}

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

  it('refuses drain, dead requeue, dead purge and obliterate without --yes when there is no terminal', async () => {
    await waitingTasks('cli-refused', 2);
    const before = await dataOf(redis, t.prefix);
    for (const args of [
      ['drain', 'cli-refused'],
      ['dead', 'requeue', 'cli-dead-refused'],
      ['dead', 'purge', 'cli-dead-refused'],
      ['obliterate', 'cli-refused'],
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

  it('obliterate --yes deletes the queue, with a progress bar on a terminal', async () => {
    await waitingTasks('cli-gone', 4);
    const run = await inTerminal(['obliterate', 'cli-gone', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Obliterating cli-gone \[#{30}\] 100% 4\/4/);
    expect(run.stdout).toContain('Deleted queue "cli-gone" and 4 task record(s).');
    await expect(t.queue.stats('cli-gone')).rejects.toBeInstanceOf(UnknownQueueError);

    await waitingTasks('cli-gone-json', 2);
    const json = await cli('obliterate', 'cli-gone-json', '--yes', '--json');
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual({ queue: 'cli-gone-json', deleted: 2 });
  }, 60_000);

  it('obliterate refuses a queue with a running task (exit 1, naming --force); it is left as it was', async () => {
    const worker = await createTestApp([Holding], {
      prefix: t.prefix,
      logging: false,
      worker: { concurrency: 1 },
    });
    try {
      const running = await worker.queue.enqueue('cli.hold', []);
      await firstValueFrom(running.status$.pipe(filter((u) => u.status === TaskStatus.RUNNING)));
      await worker.queue.enqueue('cli.hold', []); // waits behind it (concurrency 1)
      const run = await cli('obliterate', 'cli-busy', '--yes');
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'taskmill: queue "cli-busy" has 1 running task(s), so nothing was deleted: pause it and ' +
          'wait until "taskmill stats cli-busy" shows none running, or pass --force\n',
      );
      expect(await t.queue.stats('cli-busy')).toMatchObject({
        running: 1,
        waiting: 1,
        paused: false,
      });
      expect((await running.status()).status).toBe(TaskStatus.RUNNING);
    } finally {
      gate.open = true;
      gate.waiting.forEach((release) => release());
      await worker.close();
    }
  }, 60_000);
});
