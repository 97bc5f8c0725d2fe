import { readFileSync } from 'fs';
import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Redis as RedisV5 } from 'ioredis-v5';
import { lastValueFrom, toArray } from 'rxjs';
import { Task, TaskStatus } from '../../lib';
import { EventsReader } from '../../lib/status/events-reader';
import { testRedisUrl } from '../support/redis';
import { createTestApp } from '../support/test-app';
import { queueKey } from '../support/task-keys';

@Injectable()
class Echo {
  @Task('echo')
  async echo(value: string): Promise<string> {
    return value;
  }
}

function packageVersion(name: string): string {
  return (
    JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }
  ).version;
}

describe('connections', () => {
  // taskmill works with whichever ioredis major the app has; a client of either may be passed in.
  it.each([
    ['6', 'ioredis', (url: string) => new Redis(url)],
    ['5', 'ioredis-v5', (url: string) => new RedisV5(url)],
  ] as const)(
    'uses an ioredis %s instance passed by the user and leaves it open on shutdown',
    async (major, packageName, connect) => {
      expect(packageVersion(packageName).split('.')[0]).toBe(major);
      const mine = connect(testRedisUrl());
      const app = await createTestApp([Echo], { connection: mine });
      const handle = await app.queue.enqueue('echo', ['via my client']);
      await expect(handle.result({ timeout: 5000 })).resolves.toBe('via my client');
      await expect(handle.status()).resolves.toMatchObject({ status: TaskStatus.SUCCEEDED });
      const history = await lastValueFrom(handle.status$.pipe(toArray()));
      expect(history.map((update) => update.status)).toEqual([TaskStatus.SUCCEEDED]);
      await app.close();
      expect(mine.status).toBe('ready');
      await expect(mine.ping()).resolves.toBe('PONG');
      mine.disconnect();
    },
  );

  it('accepts ioredis options objects', async () => {
    const { port, hostname } = new URL(testRedisUrl());
    const app = await createTestApp([Echo], { connection: { host: hostname, port: Number(port) } });
    const handle = await app.queue.enqueue('echo', ['via options']);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('via options');
    await app.close();
  });

  it('skips an undecodable event and keeps serving every observer', async () => {
    const app = await createTestApp([Echo]);
    const first = await app.queue.enqueue('echo', ['before']);
    await first.result({ timeout: 5000 });
    const raw = new Redis(testRedisUrl());
    // Foreign data under our prefix: an error field that is not JSON.
    await raw.xadd(
      queueKey(app, 'default', 'events'),
      '*',
      'id',
      'x',
      'task',
      'echo',
      'status',
      'failed',
      'attempt',
      '1',
      'error',
      '{not json',
    );
    raw.disconnect();
    const after = await app.queue.enqueue('echo', ['after'], { delay: 50 });
    await expect(after.result({ timeout: 5000 })).resolves.toBe('after');
    await app.close();
  });

  it('ends the shared events read when the last observer unsubscribes', async () => {
    const app = await createTestApp([], { worker: { enabled: false } });
    const reader = app.app.get(EventsReader);
    const subscription = app.queue.events$({ queue: 'watched' }).subscribe();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reader.active).toBe(true);
    subscription.unsubscribe();
    // The stream lingers in the read for a second, then the read ends.
    expect(reader.active).toBe(true);
    const deadline = Date.now() + 5000;
    while (reader.active && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(reader.active).toBe(false);
    await app.close();
  });
});
