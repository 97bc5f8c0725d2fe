import { Injectable } from '@nestjs/common';
import { InvalidOptionsError, NonRetryableError, Task, TaskStatus, taskContext } from '../../lib';
import { failureOf } from '../support/failures';
import { Ledger } from '../support/ledger';
import { dataKeysOf, rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

const ran = new Ledger<string>();
const flaky = new Set<number>();

@Injectable()
class Parts {
  @Task({ name: 'part.square', queue: 'chords', backoff: 10 })
  async square(n: number): Promise<number> {
    const { attempt } = taskContext();
    ran.add(`square ${n} #${attempt}`);
    if (flaky.has(n) && attempt === 1) throw new Error(`square ${n} flaked`);
    if (n < 0) throw new NonRetryableError(`cannot square ${n}`);
    return n * n;
  }

  @Task({ name: 'part.sum', queue: 'chords' })
  async sum(label: string): Promise<string> {
    const previous = taskContext().previous as number[];
    ran.add(`sum ${label}`);
    return `${label}=${previous.reduce((a, b) => a + b, 0)} of ${JSON.stringify(previous)}`;
  }
}

describe('groups and chords', () => {
  let app: TestApp;
  beforeEach(async () => {
    ran.entries.length = 0;
    flaky.clear();
    app = await createTestApp([Parts], { worker: { concurrency: 4 } });
  });
  afterEach(() => app.close());

  it('a group resolves with every result in order', async () => {
    const group = await app.queue.group([3, 1, 2].map((n) => ({ task: 'part.square', args: [n] })));
    expect(group.parts).toHaveLength(3);
    await expect(group.results({ timeout: 5000 })).resolves.toEqual([9, 1, 4]);
  });

  it('a chord runs its callback once, with every result in the parts order', async () => {
    const numbers = Array.from({ length: 12 }, (_, i) => i + 1);
    flaky.add(3).add(7); // two parts are retried: still one callback, after them
    const chord = await app.queue.chord<string>(
      numbers.map((n) => ({ task: 'part.square', args: [n] })),
      { task: 'part.sum', args: ['total'] },
    );
    const squares = numbers.map((n) => n * n);
    await expect(chord.result({ timeout: 10_000 })).resolves.toBe(
      `total=${squares.reduce((a, b) => a + b)} of ${JSON.stringify(squares)}`,
    );
    expect(ran.entries.filter((entry) => entry.startsWith('sum'))).toEqual(['sum total']);
    expect(ran.entries.indexOf('sum total')).toBe(ran.entries.length - 1);
    await expect(chord.results()).resolves.toEqual(squares);
  });

  it('fails the chord when a part fails for good: the callback never runs', async () => {
    const chord = await app.queue.chord(
      [1, -2, 3].map((n) => ({ task: 'part.square', args: [n] })),
      { task: 'part.sum', args: ['never'] },
    );
    const failure = await failureOf(chord.callback);
    expect(failure.remoteName).toBe('ChordPartFailedError');
    expect(failure.remoteMessage).toContain(chord.parts[1].id);
    expect(failure.remoteMessage).toContain('cannot square -2');
    await Promise.all(
      [chord.parts[0].result(), chord.parts[2].result()].map((p) => p.catch(() => 0)),
    );
    expect(ran.entries).not.toContain('sum never');
    expect((await chord.callback.status()).status).toBe(TaskStatus.FAILED);
  });

  it('refuses bad groups and chords before writing anything', async () => {
    const redis = rawRedis();
    const before = await dataKeysOf(redis, app.prefix);
    const part = { task: 'part.square', args: [1] };
    await expect(app.queue.group([])).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(app.queue.chord([], { task: 'part.sum' })).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
    await expect(
      app.queue.chord([part], { task: 'part.sum', options: { delay: 10 } }),
    ).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(
      app.queue.chord([{ ...part, options: { id: 'mine' } }], { task: 'part.sum' }),
    ).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(app.queue.chord([part], { task: 'bad name{}' })).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
    await expect(app.queue.chord([null as never], { task: 'part.sum' })).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
    expect(await dataKeysOf(redis, app.prefix)).toEqual(before);
    redis.disconnect();
  });
});
