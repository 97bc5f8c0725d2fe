import { spawn } from 'child_process';
import { once } from 'events';
import { createInterface } from 'readline';
import { LockHandle, LockService } from '../../lib';
import { childEnv, supportScript } from '../support/node-process';
import { testRedisUrl } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

describe('a lock held by another process', () => {
  let t: TestApp;
  let locks: LockService;
  beforeAll(async () => {
    t = await createTestApp([], { worker: { enabled: false } });
    locks = t.app.get(LockService);
  });
  afterAll(() => t.close());

  it('is seen with its holder, kept from this process, and taken over after that process is killed', async () => {
    const child = spawn(
      process.execPath,
      supportScript('lock-process.ts', testRedisUrl(), t.prefix, 'shared', 300),
      { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv() },
    );
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const held = JSON.parse(line) as { holder: string; fence: number };
      expect(held.holder).toMatch(new RegExp(`^child@.+:${child.pid}$`));

      expect(await locks.holder('shared')).toMatchObject(held);
      // Three ttls of waiting: the child's renewals must keep it out all along.
      expect(await locks.acquire('shared', { wait: 900 })).toBeNull();
      expect(await locks.holder('shared')).toMatchObject(held);

      // Killed, the child frees nothing: the lock is taken once its ttl runs out.
      const waiting = locks.acquire('shared', { wait: 60_000 });
      child.kill('SIGKILL');
      const mine = (await waiting) as LockHandle;
      expect(mine.fence).toBeGreaterThan(held.fence);
      expect((await locks.holder('shared'))?.holder).toBe(mine.holder);
      await mine.release();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
