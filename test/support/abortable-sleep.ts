import { taskContext } from '../../lib';

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts: a handler that honours
 * its signal, as shutdown expects when it hands runs back.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** Resolves when the running task's signal aborts (cancel, timeout): a handler that waits for it. */
export function untilTaskAborted(): Promise<void> {
  const { signal } = taskContext();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve()));
}
