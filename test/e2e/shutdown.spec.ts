import { Injectable } from '@nestjs/common';
import { Task, TaskStatus, taskContext } from '../../lib';
import { sleepUnlessAborted } from '../support/abortable-sleep';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { createTestApp } from '../support/test-app';

const started = new Ledger<string>();
const finished = new Ledger<string>();

@Injectable()
class Sleepy {
  @Task({ name: 'sleepy.nap', queue: 'naps' })
  async nap(label: string, ms: number): Promise<string> {
    const { attempt, signal } = taskContext();
    started.add(`${label}@${attempt}`);
    await sleepUnlessAborted(ms, signal);
    finished.add(`${label}@${attempt}`);
    return label;
  }
}

describe('graceful shutdown', () => {
  beforeEach(() => {
    started.entries.length = 0;
    finished.entries.length = 0;
  });

  it('lets in-flight tasks finish within shutdownTimeoutMs before closing', async () => {
    const prefix = uniquePrefix();
    const worker = await createTestApp([Sleepy], {
      prefix,
      worker: { concurrency: 3, shutdownTimeoutMs: 5000 },
    });
    const handles = await Promise.all(
      ['a', 'b', 'c'].map((label) =>
        worker.queue.enqueue('sleepy.nap', [label, 300], { queue: 'naps' }),
      ),
    );
    await started.until(3);
    await worker.close();
    expect(finished.entries.sort()).toEqual(['a@1', 'b@1', 'c@1']);

    const observer = await createTestApp([], { prefix, worker: { enabled: false } });
    const statuses = await Promise.all(handles.map((h) => observer.queue.handle(h.id).status()));
    expect(statuses.map((s) => s.status)).toEqual([
      TaskStatus.SUCCEEDED,
      TaskStatus.SUCCEEDED,
      TaskStatus.SUCCEEDED,
    ]);
    await observer.close();
  });

  it('hands tasks still running at shutdownTimeoutMs back to the queue, and loses none', async () => {
    const prefix = uniquePrefix();
    const first = await createTestApp([Sleepy], {
      prefix,
      worker: { concurrency: 2, shutdownTimeoutMs: 100 },
    });
    const labels = ['p', 'q', 'r', 's', 't'];
    const handles = await first.queue.enqueueMany(
      labels.map((label) => ({
        task: 'sleepy.nap',
        args: [label, 1500],
        options: { queue: 'naps' },
      })),
    );
    await started.until(2);
    await first.close();
    expect(finished.entries).toEqual([]);

    const observer = await createTestApp([], { prefix, worker: { enabled: false } });
    const statuses = await Promise.all(handles.map((h) => observer.queue.handle(h.id).status()));
    expect(statuses.map((s) => s.status)).toEqual(labels.map(() => TaskStatus.SUBMITTED));
    await observer.close();

    const second = await createTestApp([Sleepy], { prefix, worker: { concurrency: 5 } });
    const secondHandles = handles.map((h) => second.queue.handle(h.id));
    await expect(
      Promise.all(secondHandles.map((h) => h.result({ timeout: 10_000 }))),
    ).resolves.toEqual(labels);
    // The two interrupted runs were re-run as attempt 2; the rest ran once.
    expect(started.entries.filter((e) => e.endsWith('@2'))).toHaveLength(2);
    await second.close();
  });
});
