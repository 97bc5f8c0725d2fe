import { Injectable } from '@nestjs/common';
import { Task, TaskStatus } from '../../lib';
import { collect } from '../support/observables';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class MathService {
  @Task('math.add')
  async add(a: number, b: number): Promise<number> {
    return a + b;
  }
}

describe('basic', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([MathService])));
  afterAll(() => t.close());

  it('runs a task by name and returns its result', async () => {
    const handle = await t.queue.enqueue('math.add', [2, 3]);
    const statuses = collect(handle.status$);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe(5);
    expect((await statuses).map((u) => u.status)).toEqual([TaskStatus.SUBMITTED, TaskStatus.RUNNING, TaskStatus.SUCCEEDED]);
  });
});
