import type { PrivateRedis } from '../../lib/testing';
import { printFaultSummary } from './fault-summary';

export default async function globalTeardown(): Promise<void> {
  printFaultSummary((text) => process.stdout.write(text));
  await (globalThis as { __taskmillRedis?: PrivateRedis }).__taskmillRedis?.stop();
}
