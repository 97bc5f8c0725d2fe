/** One queue library under test, driven the same way as the other. */
export interface Subject {
  readonly name: string;
  /** Connects a producer to the benchmark Redis. */
  open(url: string): Promise<void>;
  close(): Promise<void>;
  enqueue(i: number, keepResult?: boolean): Promise<void>;
  enqueueBulk(items: number[], keepResult: boolean): Promise<void>;
  /** Starts a worker whose no-op handler calls `onStart(i)`; counts completions. */
  startWorker(options: WorkerSetup): Promise<RunningWorker>;
  /** Enqueues one task and resolves once the producer observed its result. */
  enqueueAndAwaitResult(i: number): Promise<void>;
  /**
   * Enqueues the items with results discarded, each in the group `groupOf(i)` (undefined: in
   * none). Only a library with groups has it: a case that needs it lists the others as
   * unsupported (BenchCase.unsupported) rather than run them without groups.
   */
  enqueueBulkInGroups?(items: number[], groupOf: (i: number) => string | undefined): Promise<void>;
}

export interface WorkerSetup {
  concurrency: number;
  onStart?: (i: number) => void;
  /** Called after each completion has been recorded. */
  onComplete?: () => void;
  /**
   * Whether finished tasks stay in Redis (default true), for a library whose worker decides it
   * rather than each task (bee-queue's `removeOnSuccess`); the others follow `keepResult` of
   * the enqueue calls and ignore it. Must match what the tasks were enqueued with.
   */
  keepResults?: boolean;
  /**
   * The queue's rate limit across workers, for a library that has one: `'none'` says so
   * explicitly (taskmill keeps a queue's limit in Redis until an app declares otherwise, so a
   * worker after a limited one must declare none); undefined leaves the library's defaults.
   * A library without a limiter refuses both rather than run unlimited.
   */
  queueRateLimit?: { max: number; perMs: number } | 'none';
}

export interface RunningWorker {
  /** Starts consuming (setup cost stays out of the measured time). */
  begin(): Promise<void>;
  /** Resolves once `count` tasks completed since the worker started. */
  completed(count: number): Promise<void>;
  stop(): Promise<void>;
}

/** Counts completions and resolves waiters when a target is reached. */
export class CompletionCounter {
  private done = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  increment(): void {
    this.done++;
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((w) => (this.done >= w.count ? (w.resolve(), false) : true));
  }

  until(count: number): Promise<void> {
    if (this.done >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}
