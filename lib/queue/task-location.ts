import { InvalidOptionsError } from '../errors';
import { checkName, isPlainObject } from '../validation/checks';

/**
 * Where a task is, for a lookup by id: its queue. A generated id says where its task is; a custom
 * id does not, and in the `'queue'` key layout (Redis Cluster) its queue must be given.
 */
export interface TaskLocation {
  queue?: string;
}

/** The queue of a location given as `{ queue }` (or, as before, the queue name itself). */
export function locationQueue(location: TaskLocation | string | undefined): string | undefined {
  if (location === undefined) return undefined;
  if (typeof location === 'string') return checkName(location, 'queue');
  if (!isPlainObject(location)) {
    throw new InvalidOptionsError('location', "must be { queue: '<queue name>' }");
  }
  return location.queue === undefined ? undefined : checkName(location.queue, 'queue');
}
