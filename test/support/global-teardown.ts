import { rmSync } from 'fs';
import type { PrivateRedis } from '../../lib/testing';
import { printFaultSummary } from './fault-summary';

export default async function globalTeardown(): Promise<void> {
  printFaultSummary((text) => process.stdout.write(text));
  const cache = process.env.TASKMILL_TS_CACHE;
  if (cache) rmSync(cache, { recursive: true, force: true });
  await (globalThis as { __taskmillRedis?: PrivateRedis }).__taskmillRedis?.stop();
}
