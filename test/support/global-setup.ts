import { startPrivateRedis } from '../../lib/testing';
import { createFaultSummary } from './fault-summary';

/**
 * One private redis-server for the whole run, on a free port in a temporary directory, and the
 * file the fault scenarios write their figures to.
 */
export default async function globalSetup(): Promise<void> {
  const redis = await startPrivateRedis({
    installIfMissing: true,
    log: (message) => process.stdout.write(`${message}\n`),
  });
  process.env.TASKMILL_TEST_REDIS_URL = redis.url;
  (globalThis as { __taskmillRedis?: typeof redis }).__taskmillRedis = redis;
  createFaultSummary();
}
