import { Redis, RedisOptions } from 'ioredis';
import { describeRedis } from '../../../lib/redis/redis-endpoint';

/** Clients that never connect (lazyConnect): only their parsed options are read. */
function described(connection: string | RedisOptions): string {
  const redis =
    typeof connection === 'string'
      ? new Redis(connection, { lazyConnect: true })
      : new Redis({ ...connection, lazyConnect: true });
  try {
    return describeRedis(redis);
  } finally {
    redis.disconnect();
  }
}

describe('describeRedis', () => {
  it('names host and port of a URL, and never its username or password', () => {
    const text = described('redis://app-user:hunter2@10.0.0.5:6390/3');
    expect(text).toBe('10.0.0.5:6390 (command connection)');
  });

  it('names the connection when it has a name', () => {
    expect(
      described({
        host: 'redis.internal',
        port: 6380,
        connectionName: 'taskmill:consumer',
      }),
    ).toBe('redis.internal:6380 (connection "taskmill:consumer")');
  });

  it('puts an IPv6 address in brackets', () => {
    expect(described({ host: '::1', port: 6379 })).toBe('[::1]:6379 (command connection)');
  });

  it('names a Unix socket by its path', () => {
    expect(described({ path: '/run/redis.sock' })).toBe('/run/redis.sock (command connection)');
  });

  it('names the master and its sentinels for Sentinel', () => {
    expect(
      described({
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
        ],
        name: 'orders',
        sentinelPassword: 'hunter2',
      }),
    ).toBe('master "orders" via sentinels 10.0.0.1:26379, 10.0.0.2:26380 (command connection)');
  });
});
