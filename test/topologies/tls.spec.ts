import { Injectable } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import { lastValueFrom, toArray } from 'rxjs';
import { ConnectionError, QueueModuleOptions, Task, TaskStatus } from '../../lib';
import { TlsRedis } from '../support/redis-tls';
import { createTestApp, TestApp } from '../support/test-app';

@Injectable()
class Echo {
  @Task('tls.echo')
  async echo(value: string): Promise<string> {
    return value;
  }
}

/** Names of the clients connected to the server (CLIENT LIST), over TLS. */
async function clientNames(server: TlsRedis): Promise<string[]> {
  const admin = new Redis(server.url, { tls: { ca: server.ca } });
  try {
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    return [...list.matchAll(/ name=(\S*)/g)].map((match) => match[1]).filter(Boolean);
  } finally {
    admin.disconnect();
  }
}

/** Enqueue → run → result, followed through status$, on an app whose Redis speaks only TLS. */
async function expectRoundTrip(server: TlsRedis, app: TestApp): Promise<void> {
  const handle = await app.queue.enqueue('tls.echo', ['over tls']);
  const updates = await lastValueFrom(handle.status$.pipe(toArray()));
  expect(updates[updates.length - 1].status).toBe(TaskStatus.SUCCEEDED);
  await expect(handle.result({ timeout: 5000 })).resolves.toBe('over tls');
  // The worker's blocking read, its subscriber and the events reader are all TLS copies.
  const names = await clientNames(server);
  for (const role of ['taskmill:consumer', 'taskmill:signals', 'taskmill:events']) {
    expect(names.some((name) => name.startsWith(role))).toBe(true);
  }
}

/** A redis-server with only a TLS port, and a CA and certificate made with openssl for it. */
describe('TLS', () => {
  let server: TlsRedis;
  beforeAll(async () => (server = await TlsRedis.start()));
  afterAll(() => server?.stop());

  const withApp = async (options: QueueModuleOptions, run: (app: TestApp) => Promise<void>) => {
    const app = await createTestApp([Echo], options);
    try {
      await run(app);
    } finally {
      await app.close();
    }
  };

  it('runs tasks with RedisOptions { host, port, tls: { ca } }', async () => {
    const connection: RedisOptions = {
      host: '127.0.0.1',
      port: server.port,
      tls: { ca: server.ca },
    };
    await withApp({ connection }, (app) => expectRoundTrip(server, app));
  });

  it('runs tasks on a client made from a rediss:// URL with tls.ca', async () => {
    const client = new Redis(server.url, { tls: { ca: server.ca } });
    try {
      await withApp({ connection: client }, (app) => expectRoundTrip(server, app));
      // Passed in, so still the caller's.
      expect(client.status).toBe('ready');
    } finally {
      client.disconnect();
    }
  });

  it('fails the start with a ConnectionError naming the server and the certificate when the CA is not trusted', async () => {
    // A bare rediss:// URL trusts only Node's default CAs, not the one made for this test.
    const error = (await createTestApp([Echo], {
      connection: server.url,
      connectTimeoutMs: 1000,
    }).catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain(`Redis at 127.0.0.1:${server.port} (command connection)`);
    expect(error.message).toContain('did not answer within 1000 ms (connectTimeoutMs)');
    expect(error.message).toMatch(/certificate/);
    expect(error.message).toContain('tls.ca');
  });

  it('fails the start with a ConnectionError when a plain redis:// URL reaches the TLS port', async () => {
    const error = (await createTestApp([Echo], {
      connection: `redis://127.0.0.1:${server.port}`,
      connectTimeoutMs: 1000,
    }).catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain(`Redis at 127.0.0.1:${server.port} (command connection)`);
  });
});
