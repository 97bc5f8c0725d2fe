import { createHash } from 'crypto';

/**
 * The task names a worker has handlers for, as its claims name them: a digest, which the claim
 * script finds a set of the names under (KEY_FAMILIES.handlers), so that a claim's cost does
 * not grow with how many names the worker has; the names themselves go along only when the
 * script asks for them (the set expired, or this slot never had it).
 */
export interface HandlerNames {
  names: readonly string[];
  digest: string;
}

export function handlerNames(names: readonly string[]): HandlerNames {
  const sorted = [...new Set(names)].sort();
  const digest = createHash('sha1').update(sorted.join('\n')).digest('base64url').slice(0, 16);
  return { names: sorted, digest };
}
