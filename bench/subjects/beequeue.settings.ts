import type BeeQueue from 'bee-queue';

/** bee-queue's keys are `<prefix>:<queue>:…`: its own prefix, apart from taskmill's and BullMQ's. */
export const PREFIX = 'bq-bench';
export const QUEUE = 'bench';

/**
 * bee-queue's default stall window, named because the workers also run the periodic stalled-job
 * check its README asks for at this interval (BullMQ's workers check for stalled jobs on their
 * own, and taskmill's leases expire), so that all three keep their crash-recovery promise.
 */
export const STALL_INTERVAL = 5000;

export interface RedisAddress {
  host: string;
  port: number;
}

/**
 * host and port from the bench's redis URL. node_redis falls back to 6379 when no port is given:
 * refuse that, and 6379 itself, rather than touch a Redis that is not the bench's private one.
 */
export function redisAddress(url: string): RedisAddress {
  const { hostname, port } = new URL(url);
  if (!port || Number(port) === 6379) {
    throw new Error(`the bench runs on its private redis-server, not on ${url}`);
  }
  return { host: hostname, port: Number(port) };
}

function common(address: RedisAddress): BeeQueue.QueueSettings {
  return {
    prefix: PREFIX,
    redis: { ...address },
    // The bench has no delayed jobs and no retries with a backoff: activating them would only
    // add a subscription and a timer to every queue.
    activateDelayedJobs: false,
  };
}

/** The producer: adds jobs and waits for nothing but Redis's reply. */
export function producerSettings(address: RedisAddress): BeeQueue.QueueSettings {
  return {
    ...common(address),
    // Never processes: no blocking connection, no stall checks.
    isWorker: false,
    // Awaits no outcome (enqueueAndAwaitResult has a queue of its own): no subscriber connection.
    getEvents: false,
    // Without events nothing takes a saved job out of the queue's in-memory map again, so every
    // job enqueued would stay on this process's heap (bee-queue issue 54).
    storeJobs: false,
  };
}

/** Adds jobs and awaits each one's outcome, like an app awaiting a result. */
export function waiterSettings(address: RedisAddress): BeeQueue.QueueSettings {
  return {
    ...common(address),
    isWorker: false,
    // The outcome comes from the worker over pub/sub.
    getEvents: true,
    // So that the outcome reaches the Job object awaited; it leaves the map once it arrives.
    storeJobs: true,
  };
}

/** A worker; `keepResults` says whether finished jobs stay in Redis. */
export function workerSettings(
  address: RedisAddress,
  keepResults: boolean,
): BeeQueue.QueueSettings {
  return {
    ...common(address),
    isWorker: true,
    // It counts its own completions with the local 'succeeded' event, which needs no pub/sub.
    getEvents: false,
    // Only serves events, which this queue does not receive.
    storeJobs: false,
    // Publishes every outcome, in every case: enqueueAndAwaitResult needs it, and the other two
    // libraries also record an event per completion, so Redis's work per task stays comparable.
    sendEvents: true,
    // bee-queue decides at the worker, not per job, whether a finished job stays: kept, its
    // record stays in the jobs hash and its id in the `succeeded` set (the handler's return
    // value is only published, never stored); discarded, both are deleted.
    removeOnSuccess: !keepResults,
    stallInterval: STALL_INTERVAL,
  };
}
