import { Redis } from 'ioredis';
import { WorkerProcess } from './worker-process-handle';
import type { FlowWorkerSettings } from './flow-worker-process';
import { testRedisUrl } from './redis';
import { createTestApp, TestApp } from './test-app';

/** One run as a flow worker process logged it. */
export interface FlowRun {
  label: string;
  task: string;
  id: string;
  attempt: number;
}

/** The run ledger's key for a prefix: a Redis list on the test server. */
export function flowLedgerKey(prefix: string): string {
  return `taskmill-test-flow:${prefix}`;
}

/**
 * Starts a flow worker process (test/support/flow-worker-process.ts); resolves once it runs.
 * Its lease is long unless a test shortens it: a loaded machine must not make runs expire.
 */
export async function startFlowWorker(
  prefix: string,
  settings: Partial<Omit<FlowWorkerSettings, 'prefix' | 'url'>> & { label: string },
): Promise<WorkerProcess> {
  const worker = new WorkerProcess(
    prefix,
    { release: 'new', concurrency: 4, leaseMs: 10_000, ...settings },
    'flow-worker-process.ts',
  );
  await worker.next('ready');
  return worker;
}

/** The runs the flow workers of `prefix` started, in the order they started them. */
export async function flowRuns(prefix: string): Promise<FlowRun[]> {
  const redis = new Redis(testRedisUrl());
  try {
    const entries = await redis.lrange(flowLedgerKey(prefix), 0, -1);
    return entries.map((entry) => {
      const [label, task, id, attempt] = entry.split(' ');
      return { label, task, id, attempt: Number(attempt) };
    });
  } finally {
    redis.disconnect();
  }
}

/**
 * What each flow spec sets up per test: a producer app without a worker (`producer`, set in
 * beforeEach), and the flow worker processes the test starts with `start()`, killed after it.
 */
export class FlowFixture {
  producer!: TestApp;
  readonly workers: WorkerProcess[] = [];

  constructor() {
    beforeEach(async () => {
      this.producer = await createTestApp([], { worker: { enabled: false } });
    });
    afterEach(async () => {
      await Promise.all(this.workers.splice(0).map((worker) => worker.kill()));
      await this.producer.close();
    });
  }

  /** Starts a flow worker process on the producer's prefix; resolves once it runs. */
  async start(settings: Parameters<typeof startFlowWorker>[1]): Promise<WorkerProcess> {
    const worker = await startFlowWorker(this.producer.prefix, settings);
    this.workers.push(worker);
    return worker;
  }
}
