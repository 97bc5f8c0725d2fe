import type { PrivateRedis } from '../../lib/testing';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __taskmillRedis?: PrivateRedis }).__taskmillRedis?.stop();
}
