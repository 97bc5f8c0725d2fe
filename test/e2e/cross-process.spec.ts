import { Injectable } from '@nestjs/common';
import { execFile } from 'child_process';
import { promisify } from 'util';
import { Task, TaskStatus, taskContext } from '../../lib';
import { Ledger } from '../support/ledger';
import { childEnv, supportScript } from '../support/node-process';
import { testRedisUrl } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const ran = new Ledger<string>();

@Injectable()
class Shouter {
  @Task('shout')
  async shout(text: string): Promise<string> {
    ran.add(`${taskContext().id}:${process.pid}`);
    return text.toUpperCase();
  }
}

describe('across processes', () => {
  let worker: TestApp;
  beforeAll(async () => (worker = await createTestApp([Shouter])));
  afterAll(() => worker.close());

  it('runs in this process a task enqueued by another process, which gets the result', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      supportScript('producer-process.ts', testRedisUrl(), worker.prefix, 'shout', '["hey"]'),
      { timeout: 60_000, env: childEnv() },
    );
    const reply = JSON.parse(stdout.trim()) as { id: string; result: string };
    expect(reply).toEqual({ id: expect.any(String), result: 'HEY' });
    expect(ran.entries).toEqual([`${reply.id}:${process.pid}`]);
    expect((await worker.queue.handle(reply.id).status()).status).toBe(TaskStatus.SUCCEEDED);
  });
});
