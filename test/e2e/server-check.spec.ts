import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../../lib/testing';
import { createTestApp } from '../support/test-app';

describe('startup checks against the server', () => {
  it('warns loudly when maxmemory-policy could evict queued tasks', async () => {
    const redis = await startPrivateRedis({ args: ['--maxmemory-policy', 'allkeys-lru'] });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const app = await createTestApp([], { connection: redis.url, worker: { enabled: false } });
      await app.queue.enqueue('anything', []);
      await app.queue.enqueue('anything', []);
      const warnings = warn.mock.calls.map(([message]) => String(message));
      expect(warnings.filter((m) => m.includes('maxmemory-policy is "allkeys-lru"'))).toHaveLength(
        1,
      );
      expect(warnings.join('\n')).toContain('noeviction');
      await app.close();
    } finally {
      warn.mockRestore();
      await redis.stop();
    }
  });

  it('still works, with warnings, for a user whose ACL forbids INFO and CONFIG', async () => {
    const redis = await startPrivateRedis();
    const admin = new Redis(redis.url);
    await admin.acl('SETUSER', 'limited', 'on', '>secret', '~*', '&*', '+@all', '-info', '-config');
    admin.disconnect();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { port } = new URL(redis.url);
      const app = await createTestApp([], {
        connection: {
          host: '127.0.0.1',
          port: Number(port),
          username: 'limited',
          password: 'secret',
        },
        worker: { enabled: false },
      });
      const handle = await app.queue.enqueue('anything', []);
      expect((await handle.status()).status).toBe('submitted');
      const warnings = warn.mock.calls.map(([message]) => String(message)).join('\n');
      expect(warnings).toContain('INFO is not allowed');
      expect(warnings).toContain('CONFIG is not allowed');
      await app.close();
    } finally {
      warn.mockRestore();
      await redis.stop();
    }
  });

  it('says nothing about the policy when it is noeviction', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const app = await createTestApp([], { worker: { enabled: false } });
      await app.queue.enqueue('anything', []);
      expect(warn.mock.calls.map(([m]) => String(m)).join('\n')).not.toContain('maxmemory-policy');
      await app.close();
    } finally {
      warn.mockRestore();
    }
  });
});
