import { Redis } from 'ioredis';
import { RestartableRedis } from './restartable-redis';

/** A private server a test may FLUSHALL or restart empty, and a plain client on it. */
export interface LossyRedis {
  readonly server: RestartableRedis;
  readonly admin: Redis;
}

/**
 * For one describe block: starts a private redis-server without persistence before its tests
 * and stops it (and the client) after them. Read the fields inside tests, not at declaration.
 */
export function useLossyRedis(): LossyRedis {
  let server: RestartableRedis | undefined;
  let admin: Redis | undefined;
  beforeAll(async () => {
    server = await RestartableRedis.start({ persistence: false });
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useLossyRedis: read it inside a test');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get admin() {
      return started(admin);
    },
  };
}
