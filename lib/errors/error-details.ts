/** A handler's error as recorded in Redis and carried back to the caller. */
export interface ErrorDetails {
  name: string;
  message: string;
  stack?: string;
}

/** Turns anything a handler may throw (including non-Error values) into ErrorDetails. */
export function toErrorDetails(thrown: unknown): ErrorDetails {
  if (thrown instanceof Error) {
    return { name: thrown.name, message: thrown.message, stack: thrown.stack };
  }
  let text: string;
  try {
    text = typeof thrown === 'string' ? thrown : JSON.stringify(thrown);
  } catch {
    text = String(thrown);
  }
  return { name: 'NonErrorThrown', message: `handler threw a non-Error value: ${text}` };
}
