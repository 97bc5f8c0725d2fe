import { QueueService } from '../../queue/queue.service';
import { AnyRedis } from '../../redis/any-redis';

/** Redis's clock (epoch ms), read with TIME: its answer is the check that Redis answers. */
export async function redisTime(redis: AnyRedis, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const [seconds, micros] = await Promise.race([redis.time(), late]);
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  } finally {
    clearTimeout(timer);
  }
}

/** The queue whose next ready task has waited longest, and how long (ms); none when empty. */
export async function longestWait(
  queue: QueueService,
  now: number,
  only: string[] | undefined,
): Promise<{ queue: string; lagMs: number } | undefined> {
  const counts = await queue.queues();
  const busy = counts.filter(
    (c) => c.waiting > 0 && !c.paused && (only === undefined || only.includes(c.queue)),
  );
  // One task per queue (the next in line, the oldest of its priority), read in parallel.
  const heads = await Promise.all(
    busy.map(async ({ queue: name }) => {
      const [head] = await queue.list(name, 'waiting', { limit: 1 });
      return { queue: name, lagMs: head && head.enqueuedAt > 0 ? now - head.enqueuedAt : 0 };
    }),
  );
  return heads.reduce<{ queue: string; lagMs: number } | undefined>(
    (worst, head) => (worst === undefined || head.lagMs > worst.lagMs ? head : worst),
    undefined,
  );
}
