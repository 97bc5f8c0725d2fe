import { Injectable } from '@nestjs/common';
import { Task } from '../../lib';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const ledger = new Ledger<string>();

@Injectable()
class OrderedTasks {
  @Task({ name: 'ordered.record', queue: 'ordered' })
  async record(label: string): Promise<string> {
    ledger.add(label);
    return label;
  }
}

describe('scheduling', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    ledger.entries.length = 0;
  });

  /** A producer-only app and, later, a worker app on the same prefix. */
  async function producer(prefix: string): Promise<TestApp> {
    const app = await createTestApp([], { prefix, worker: { enabled: false } });
    apps.push(app);
    return app;
  }
  async function worker(prefix: string): Promise<TestApp> {
    const app = await createTestApp([OrderedTasks], { prefix, worker: { concurrency: 1 } });
    apps.push(app);
    return app;
  }

  it('runs lower priorities first and FIFO within a priority', async () => {
    const prefix = uniquePrefix();
    const { queue } = await producer(prefix);
    const plan: [string, number][] = [
      ['low-1', 5],
      ['high-1', -3],
      ['mid-1', 0],
      ['low-2', 5],
      ['high-2', -3],
      ['mid-2', 0],
      ['mid-3', 0],
      ['high-3', -3],
    ];
    const handles = [];
    for (const [label, priority] of plan) {
      handles.push(await queue.enqueue('ordered.record', [label], { priority, queue: 'ordered' }));
    }
    await worker(prefix);
    await Promise.all(handles.map((h) => h.result({ timeout: 5000 })));
    expect(ledger.entries).toEqual([
      'high-1',
      'high-2',
      'high-3',
      'mid-1',
      'mid-2',
      'mid-3',
      'low-1',
      'low-2',
    ]);
  });

  it('keeps FIFO order for tasks enqueued in one batch', async () => {
    const prefix = uniquePrefix();
    const { queue } = await producer(prefix);
    const labels = Array.from({ length: 20 }, (_, i) => `batch-${i}`);
    const handles = await queue.enqueueMany(
      labels.map((label) => ({
        task: 'ordered.record',
        args: [label],
        options: { queue: 'ordered' },
      })),
    );
    await worker(prefix);
    await Promise.all(handles.map((h) => h.result({ timeout: 5000 })));
    expect(ledger.entries).toEqual(labels);
  });

  it('does not run a delayed task before its delay, and runs it when due', async () => {
    const prefix = uniquePrefix();
    const { queue } = await worker(prefix);
    const handle = await queue.enqueue('ordered.record', ['later'], {
      delay: 400,
      queue: 'ordered',
    });
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('later');
    const [submitted, running] = await handle.history();
    expect(running.at - submitted.at).toBeGreaterThanOrEqual(400);
  });

  it('honours runAt, and runs delayed tasks in due order', async () => {
    const prefix = uniquePrefix();
    const { queue } = await worker(prefix);
    const now = Date.now();
    const second = await queue.enqueue('ordered.record', ['second'], {
      runAt: new Date(now + 500),
      queue: 'ordered',
    });
    const first = await queue.enqueue('ordered.record', ['first'], {
      runAt: new Date(now + 250),
      queue: 'ordered',
    });
    await Promise.all([first.result({ timeout: 5000 }), second.result({ timeout: 5000 })]);
    expect(ledger.entries).toEqual(['first', 'second']);
    const [, running] = await second.history();
    expect(running.at).toBeGreaterThanOrEqual(now + 500 - 50); // allows for client/server clock skew
  });

  it('runs a task whose runAt is already past at once', async () => {
    const prefix = uniquePrefix();
    const { queue } = await worker(prefix);
    const handle = await queue.enqueue('ordered.record', ['overdue'], {
      runAt: new Date(Date.now() - 60_000),
      queue: 'ordered',
    });
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('overdue');
  });

  it('lets an idle worker wake for work enqueued by another app', async () => {
    const prefix = uniquePrefix();
    await worker(prefix);
    const { queue } = await producer(prefix);
    const handle = await queue.enqueue('ordered.record', ['from-producer'], { queue: 'ordered' });
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('from-producer');
  });
});
