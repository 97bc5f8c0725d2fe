import { TaskmillError } from './taskmill.error';

/** `withLock()` could not take the lock within `wait` ms; the function did not run. */
export class LockTimeoutError extends TaskmillError {
  constructor(
    readonly lockName: string,
    readonly waitMs: number,
  ) {
    super(
      `Lock "${lockName}" is still held by someone else after waiting ${waitMs} ms, so the ` +
        `function did not run. Wait longer (the wait option), or see who holds it with ` +
        `locks.holder('${lockName}').`,
    );
  }
}
