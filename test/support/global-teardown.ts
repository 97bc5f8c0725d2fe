import { rmSync } from 'fs';
import type { PrivateRedis } from '../../lib/testing';
import { printFaultSummary } from './fault-summary';
import type { TestCluster } from './redis-cluster';

export default async function globalTeardown(): Promise<void> {
  printFaultSummary((text) => process.stdout.write(text));
  const cache = process.env.TASKMILL_TS_CACHE;
  if (cache) rmSync(cache, { recursive: true, force: true });
  const shared = globalThis as { __taskmillRedis?: PrivateRedis; __taskmillCluster?: TestCluster };
  await Promise.all([shared.__taskmillRedis?.stop(), shared.__taskmillCluster?.stop()]);
}
