import { startPrivateRedis } from '../lib/testing';

/** The Redis the sample runs on, and how to let go of it afterwards. */
export interface SampleRedis {
  url: string;
  /** Stops the private server; a no-op for a Redis given through REDIS_URL. */
  stop(): Promise<void>;
}

/**
 * REDIS_URL when set; otherwise a private redis-server on a free port, so `npm start` works
 * on a fresh machine without touching a Redis someone already runs (e.g. on port 6379).
 * Throws RedisServerUnavailableError when no redis-server can be found or installed; a
 * REDIS_URL that does not answer fails taskmill's own startup check (connectTimeoutMs).
 */
export async function provideRedis(log: (line: string) => void): Promise<SampleRedis> {
  const url = process.env.REDIS_URL;
  if (url) {
    log(`using REDIS_URL=${withoutPassword(url)}`);
    return { url, stop: async () => undefined };
  }
  // If the process exits before stop() (Ctrl+C), startPrivateRedis's exit hook takes the
  // server and its directory down.
  const redis = await startPrivateRedis({ installIfMissing: true, log });
  log(`started a private redis-server at ${redis.url} (set REDIS_URL to use your own)`);
  return redis;
}

/** The URL as it may be printed: a password in it is masked. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
