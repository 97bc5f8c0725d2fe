import { Cluster, Redis } from 'ioredis';
import { QueueModuleOptions } from '../../../lib/options/module.options';
import { resolveModuleOptions } from '../../../lib/options/module-options.validator';
import { catchInvalidOptions } from '../../support/expect-invalid';

const CLUSTER = { cluster: [{ host: '10.0.0.1', port: 7000 }] };

function layoutOf(options: QueueModuleOptions): string {
  return resolveModuleOptions(options).keyLayout;
}

describe('the keyLayout option', () => {
  it("resolves the default ('auto') to 'prefix' on one server and 'queue' on a cluster", () => {
    expect(layoutOf({ connection: 'redis://127.0.0.1:6379' })).toBe('prefix');
    expect(layoutOf({ connection: { host: '10.0.0.1', port: 6400 } })).toBe('prefix');
    expect(layoutOf({ connection: CLUSTER })).toBe('queue');
    expect(layoutOf({ connection: CLUSTER, keyLayout: 'auto' })).toBe('queue');
    expect(layoutOf({ connection: 'redis://127.0.0.1:6379', keyLayout: 'auto' })).toBe('prefix');
  });

  it('tells an ioredis Cluster instance from a Redis instance (which has a cluster() method)', () => {
    const redis = new Redis({ lazyConnect: true });
    const cluster = new Cluster([{ host: '127.0.0.1', port: 7000 }], { lazyConnect: true });
    try {
      expect(layoutOf({ connection: redis })).toBe('prefix');
      expect(layoutOf({ connection: cluster })).toBe('queue');
    } finally {
      redis.disconnect();
      cluster.disconnect();
    }
  });

  it('keeps an explicit layout whatever the connection', () => {
    expect(layoutOf({ connection: CLUSTER, keyLayout: 'prefix' })).toBe('prefix');
    expect(layoutOf({ connection: 'redis://127.0.0.1:6379', keyLayout: 'queue' })).toBe('queue');
  });

  it("accepts shards in the 'prefix' layout, checked as in the 'queue' layout", () => {
    const resolved = resolveModuleOptions({ queues: { clicks: { shards: 8 } } });
    expect(resolved.keyLayout).toBe('prefix');
    expect(resolved.queues.clicks.shards).toBe(8);
    // One configuration for one server and for a cluster: a limit below the shards is refused
    // in both layouts.
    const error = catchInvalidOptions(() =>
      resolveModuleOptions({ queues: { q: { shards: 4, concurrency: 3 } } }),
    );
    expect(error.field).toBe('queues.q.concurrency');
  });

  it('refuses another value, naming the three it takes', () => {
    const error = catchInvalidOptions(() =>
      resolveModuleOptions({ keyLayout: 'slot' as QueueModuleOptions['keyLayout'] }),
    );
    expect(error.field).toBe('keyLayout');
    expect(error.message).toContain("'auto', 'queue' or 'prefix'");
    expect(error.message).toContain('"slot"');
  });
});
