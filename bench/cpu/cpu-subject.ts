import { RunningWorker } from '../subjects/subject';

/** The hashing case's settings, the same for every library. */
export interface CpuSetup {
  /** Threads that run the handlers (where the library has them). */
  threads: number;
  /** Tasks claimed at once. */
  concurrency: number;
  /** A claimed task's lease (taskmill `leaseMs`, BullMQ `lockDuration`, bee-queue stall interval). */
  leaseMs: number;
}

export interface CpuWorker extends RunningWorker {
  /** Leases lost or tasks taken back from a worker thought dead, since the worker started. */
  leaseLosses(): number;
}

/** A library running CPU-bound handlers off its event loop where it can. */
export interface CpuSubject {
  open(url: string): Promise<void>;
  close(): Promise<void>;
  /** Enqueues `count` tasks that each hash for `ms`. */
  enqueueBulk(count: number, ms: number): Promise<void>;
  /** A worker, ready and idle until `begin()`. */
  startWorker(setup: CpuSetup): Promise<CpuWorker>;
}
