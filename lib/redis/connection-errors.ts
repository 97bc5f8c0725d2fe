import { performance } from 'perf_hooks';
import { ConnectionError, RedisOutOfMemoryError } from '../errors';

/** ioredis reports an unreachable server with these; users get one typed error for them all. */
function isConnectionFailure(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'ENOTFOUND' ||
    code === 'EPIPE' ||
    /Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Socket timeout/.test(
      error.message,
    )
  );
}

/** Replies of a server that is busy for now: loading its data, running a long script, failing over. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|READONLY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN)\b/;

/**
 * True for failures that go away by themselves (Redis unreachable, restarting, full): a
 * worker keeps what it has to write and tries again instead of giving up on it.
 */
export function isTransientRedisError(error: unknown): boolean {
  return (
    error instanceof ConnectionError ||
    error instanceof RedisOutOfMemoryError ||
    isConnectionFailure(error) ||
    (error instanceof Error && TRANSIENT_REPLY.test(error.message))
  );
}

/** Maps ioredis failures to taskmill's typed errors. */
function typed(error: unknown): unknown {
  if (isConnectionFailure(error)) return new ConnectionError(error.message);
  if (error instanceof Error && error.message.startsWith('OOM ')) {
    return new RedisOutOfMemoryError(error.message);
  }
  return error;
}

/**
 * Runs a Redis call, failing with a typed error. With `timeoutMs`, a call Redis has not
 * answered by then fails with ConnectionError instead of waiting for ioredis' reconnect
 * attempts, never earlier; the command itself may still run once the connection is back
 * (unless it checks a deadline, as the enqueue scripts do).
 */
export function withConnectionErrors<T>(
  operation: () => Promise<T>,
  timeoutMs?: number,
): Promise<T> {
  if (timeoutMs === undefined) {
    return started(operation).catch((error: unknown) => Promise.reject(typed(error)));
  }
  // One promise and one timer per call, not a race of three promises: this wraps every
  // enqueue and settle call.
  return new Promise<T>((resolve, reject) => {
    const startedAt = performance.now();
    const expire = () => {
      // A timer counts whole milliseconds of the event loop's time and can fire up to about
      // one ms early (measured). Enqueue deadlines rely on the caller never being told
      // "failed" before timeoutMs really passed: wait out the rest.
      const left = startedAt + timeoutMs - performance.now();
      if (left > 0) {
        timer = setTimeout(expire, Math.ceil(left));
        return;
      }
      reject(
        new ConnectionError(
          `Redis did not answer within ${timeoutMs} ms (commandTimeoutMs); a call that ` +
            `writes tasks writes nothing after this, any other may still take effect when ` +
            `the connection comes back`,
        ),
      );
    };
    let timer = setTimeout(expire, timeoutMs);
    started(operation).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(typed(error));
      },
    );
  });
}

/** The operation's promise; one that throws instead of rejecting becomes a rejection. */
function started<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return operation();
  } catch (error) {
    return Promise.reject(error);
  }
}
