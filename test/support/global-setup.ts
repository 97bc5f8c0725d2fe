import { mkdtempSync, readdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startPrivateRedis } from '../../lib/testing';
import { createFaultSummary } from './fault-summary';
import { TestCluster } from './redis-cluster';

/**
 * One private redis-server for the whole run, on a free port in a temporary directory; a
 * private Redis Cluster for test/cluster/ (started alongside it, only when the run includes
 * those specs); the file the fault scenarios write their figures to; and the folder in which
 * child processes share their transpiled TypeScript (cached-transpile.js). Jest workers and
 * their children inherit the environment variables set here. Global setup runs once per run,
 * whatever the number of projects, so both projects share the one server and cluster.
 */
export default async function globalSetup(config: { testPathPattern?: string }): Promise<void> {
  const [redis, cluster] = await Promise.all([
    startPrivateRedis({
      installIfMissing: true,
      log: (message) => process.stdout.write(`${message}\n`),
    }),
    runIncludesClusterSpecs(config) ? TestCluster.start() : undefined,
  ]);
  process.env.TASKMILL_TEST_REDIS_URL = redis.url;
  const shared = globalThis as { __taskmillRedis?: typeof redis; __taskmillCluster?: TestCluster };
  shared.__taskmillRedis = redis;
  if (cluster) {
    process.env.TASKMILL_TEST_CLUSTER = cluster.addresses.join(',');
    shared.__taskmillCluster = cluster;
  }
  createFaultSummary();
  process.env.TASKMILL_TS_CACHE = mkdtempSync(join(tmpdir(), 'taskmill-ts-cache-'));
}

const CLUSTER_SPECS = join(__dirname, '..', 'cluster');

/**
 * The cluster costs six servers and about two seconds: skip it when the run's path pattern
 * (`--testPathPattern`, or paths on the command line) matches no spec of test/cluster/.
 */
function runIncludesClusterSpecs(config: { testPathPattern?: string }): boolean {
  if (!config.testPathPattern) return true;
  const pattern = new RegExp(config.testPathPattern, 'i');
  return readdirSync(CLUSTER_SPECS)
    .filter((file) => file.endsWith('.spec.ts'))
    .some((file) => pattern.test(join(CLUSTER_SPECS, file)));
}
