import { ConnectionError } from '../errors';

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
    /Connection is closed|Stream isn't writeable|connect ETIMEDOUT/.test(error.message)
  );
}

export async function withConnectionErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isConnectionFailure(error)) throw new ConnectionError(error.message);
    throw error;
  }
}
