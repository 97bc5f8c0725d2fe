import { performance } from 'perf_hooks';
import {
  ConnectionError,
  RedisOutOfMemoryError,
  RedisPermissionError,
  TaskmillError,
} from '../errors';

/**
 * What an ioredis cluster client says when it reaches no node, or keeps being sent elsewhere
 * while the cluster fails over.
 */
const CLUSTER_UNREACHABLE =
  /Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready|Too many Cluster redirections/;

/** ioredis reports an unreachable server with these; users get one typed error for them all. */
function isConnectionFailure(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    error.name === 'ClusterAllFailedError' ||
    CLUSTER_UNREACHABLE.test(error.message) ||
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

/** Node's codes for a TLS handshake that failed on the server's certificate. */
const TLS_CERTIFICATE_FAILURE =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME_INVALID/;

/**
 * The reason a connection could not be made, as a message says it: a TLS handshake refused on
 * the server's certificate also says what to check, since Node's own words ("self-signed
 * certificate in certificate chain") do not.
 */
export function explainConnectFailure(error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (!TLS_CERTIFICATE_FAILURE.test(code)) return error;
  const explained = new Error(
    `TLS: ${error.message.replace(/[.\s]+$/, '')} (${code}): the server's certificate is not ` +
      `trusted or not made for this host name; give the CA that signed it in the connection's ` +
      `tls.ca (a rediss:// URL alone trusts only Node's default CAs) and check tls.servername`,
  );
  (explained as NodeJS.ErrnoException).code = code;
  return explained;
}

/**
 * Replies of a server that is busy for now: loading its data, running a long script, failing
 * over. NOREPLICAS: a master with `min-replicas-to-write` that lost its replicas, as an old
 * master does between a Sentinel failover and its demotion (the setting that keeps it from
 * taking writes the new master never sees).
 */
const TRANSIENT_REPLY = /^(LOADING|BUSY|READONLY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|NOREPLICAS)\b/;

/**
 * True for a server that answered but is busy for now (loading, running a long script, full,
 * failing over): reachable, so not a reason to refuse to start.
 */
export function isBusyRedisReply(error: unknown): boolean {
  return (
    error instanceof RedisOutOfMemoryError ||
    (error instanceof Error &&
      (error.message.startsWith('OOM ') || TRANSIENT_REPLY.test(error.message)))
  );
}

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

/**
 * Maps ioredis failures to taskmill's typed errors; `endpoint` (describeRedis) names the
 * server and connection in the message.
 */
export function toTypedRedisError(error: unknown, endpoint: string): unknown {
  // Already typed by an inner call (the queue registration before an enqueue): mapped again, a
  // RedisPermissionError would quote itself, since it quotes Redis's words.
  if (error instanceof TaskmillError) return error;
  if (isConnectionFailure(error)) {
    return new ConnectionError(`could not be reached: ${error.message}`, endpoint);
  }
  if (!(error instanceof Error)) return error;
  if (error.message.startsWith('OOM ')) return new RedisOutOfMemoryError(error.message);
  if (TRANSIENT_REPLY.test(error.message) || /^(MOVED|ASK)\b/.test(error.message)) {
    // Busy or failing over: the call can be made again, like one that found Redis away.
    return new ConnectionError(
      `answered "${error.message}" and cannot take the call now`,
      endpoint,
    );
  }
  return toPermissionError(error.message) ?? toCredentialsError(error.message, endpoint) ?? error;
}

/** A script's command refused by the ACL (Redis 7 names no command there, only the script). */
const REFUSED_IN_SCRIPT = /The user executing the script can't (run|access)/;

/** NOPERM (and its script form) as RedisPermissionError, naming the command when Redis did. */
function toPermissionError(message: string): RedisPermissionError | undefined {
  const inScript = REFUSED_IN_SCRIPT.test(message);
  if (!message.startsWith('NOPERM') && !inScript) return undefined;
  const command = /run the '([^']+)' command/.exec(message)?.[1];
  if (!inScript) return new RedisPermissionError(message, command);
  // "script: taskmill_<digest>_enqueue, on @user_function:270"; a script by EVALSHA is a digest.
  const name = /script: (\S+?),/.exec(message)?.[1] ?? 'a';
  return new RedisPermissionError(
    message,
    command,
    /^taskmill_/.test(name) ? name.replace(/^taskmill_[0-9a-f]+_/, '') : name,
  );
}

/** WRONGPASS or NOAUTH: the user or password in the connection options was refused. */
function toCredentialsError(message: string, endpoint: string): ConnectionError | undefined {
  if (!/^(WRONGPASS|NOAUTH)\b/.test(message)) return undefined;
  return new ConnectionError(
    `refused the credentials: ${message}`,
    endpoint,
    'Check the username and password of the "connection" option (or REDIS_URL, as ' +
      'redis://user:password@host:port): the ACL user must exist, be "on" and have that password.',
  );
}

/** The connection a call runs on, and how long it may wait for an answer. */
export interface CallLimit {
  /** describeRedis() of the connection. */
  endpoint: string;
  /** Without it the call waits as long as ioredis does (its reconnect attempts). */
  timeoutMs?: number;
  /** The error for a call that timed out; default: one naming `commandTimeoutMs`. */
  timedOut?: () => Error;
}

/**
 * Runs a Redis call, failing with a typed error. With `timeoutMs`, a call Redis has not
 * answered by then fails with ConnectionError instead of waiting for ioredis' reconnect
 * attempts, never earlier; the command itself may still run once the connection is back
 * (unless it checks a deadline, as the enqueue scripts do).
 */
export function withConnectionErrors<T>(operation: () => Promise<T>, limit: CallLimit): Promise<T> {
  const { endpoint, timeoutMs } = limit;
  if (timeoutMs === undefined) {
    return started(operation).catch((error: unknown) =>
      Promise.reject(toTypedRedisError(error, endpoint)),
    );
  }
  const timedOut =
    limit.timedOut ??
    (() =>
      new ConnectionError(
        `did not answer within ${timeoutMs} ms (commandTimeoutMs); a call that writes tasks ` +
          `writes nothing after this, any other may still take effect when the connection ` +
          `comes back`,
        endpoint,
      ));
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
      reject(timedOut());
    };
    let timer = setTimeout(expire, timeoutMs);
    started(operation).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(toTypedRedisError(error, endpoint));
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
