import { Observable, Subscriber, TeardownLogic } from 'rxjs';
import { toAsyncIterator } from './async-iterator';
import { TaskSettlement } from './settlement';

/**
 * The settlements of many tasks, in the order they finish: an RxJS Observable (cold: each
 * subscription waits afresh) that is also an AsyncIterable, so `for await` works.
 * @example
 * for await (const s of queue.results(handles, { timeout: 60_000 })) {
 *   if (s.status === TaskStatus.SUCCEEDED) use(s.value);
 * }
 */
export class ResultStream<R = unknown>
  extends Observable<TaskSettlement<R>>
  implements AsyncIterable<TaskSettlement<R>>
{
  constructor(subscribe: (subscriber: Subscriber<TaskSettlement<R>>) => TeardownLogic) {
    super(subscribe);
  }

  [Symbol.asyncIterator](): AsyncIterator<TaskSettlement<R>> {
    return toAsyncIterator(this);
  }
}
