import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startPrivateRedis } from '../../lib/testing';
import { createFaultSummary } from './fault-summary';

/**
 * One private redis-server for the whole run, on a free port in a temporary directory; the file
 * the fault scenarios write their figures to; and the folder in which child processes share
 * their transpiled TypeScript (cached-transpile.js). Jest workers and their children inherit
 * the environment variables set here.
 */
export default async function globalSetup(): Promise<void> {
  const redis = await startPrivateRedis({
    installIfMissing: true,
    log: (message) => process.stdout.write(`${message}\n`),
  });
  process.env.TASKMILL_TEST_REDIS_URL = redis.url;
  (globalThis as { __taskmillRedis?: typeof redis }).__taskmillRedis = redis;
  createFaultSummary();
  process.env.TASKMILL_TS_CACHE = mkdtempSync(join(tmpdir(), 'taskmill-ts-cache-'));
}
