import { Redis } from 'ioredis';
import { ConnectionError } from '../lib';
import { startPrivateRedis } from '../lib/testing';

/** The Redis the sample runs on, and how to let go of it afterwards. */
export interface SampleRedis {
  url: string;
  /** Stops the private server; a no-op for a Redis given through REDIS_URL. */
  stop(): Promise<void>;
}

const PING_TIMEOUT_MS = 2_000;

/**
 * REDIS_URL when set; otherwise a private redis-server on a free port, so `npm start` works
 * on a fresh machine without touching a Redis someone already runs (e.g. on port 6379).
 * Throws RedisServerUnavailableError when no redis-server can be found or installed, and
 * ConnectionError when REDIS_URL does not answer.
 */
export async function provideRedis(log: (line: string) => void): Promise<SampleRedis> {
  const url = process.env.REDIS_URL;
  if (url) {
    log(`using REDIS_URL=${url}`);
    await ping(url);
    return { url, stop: async () => undefined };
  }
  // If the process exits before stop() (Ctrl+C), startPrivateRedis's exit hook takes the
  // server and its directory down.
  const redis = await startPrivateRedis({ installIfMissing: true, log });
  log(`started a private redis-server at ${redis.url} (set REDIS_URL to use your own)`);
  return redis;
}

/**
 * Fails fast on a Redis that does not answer. Without this, taskmill's connections would keep
 * reconnecting (ioredis' default) and the first command would only fail after ~10 s.
 */
async function ping(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PING_TIMEOUT_MS,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  // connect() only rejects with "Connection is closed."; the 'error' event says why.
  let cause: Error | undefined;
  client.on('error', (error: Error) => (cause = error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new ConnectionError(`nothing answers at ${url} (${(cause ?? (error as Error)).message})`);
  } finally {
    client.disconnect();
  }
}
