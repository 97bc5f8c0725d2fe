import { Observable, Subscription } from 'rxjs';

/**
 * Reads an observable with `for await`: values are buffered until asked for, an error is thrown
 * from the loop, and leaving the loop early (break, throw) unsubscribes.
 */
export function toAsyncIterator<T>(source: Observable<T>): AsyncIterator<T> {
  const buffer: T[] = [];
  let failure: { error: unknown } | undefined;
  let complete = false;
  let wake: (() => void) | undefined;
  let subscription: Subscription | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const subscribe = () =>
    source.subscribe({
      next: (value) => {
        buffer.push(value);
        notify();
      },
      error: (error: unknown) => {
        failure = { error };
        notify();
      },
      complete: () => {
        complete = true;
        notify();
      },
    });
  return {
    async next(): Promise<IteratorResult<T>> {
      subscription ??= subscribe();
      for (;;) {
        if (buffer.length > 0) return { value: buffer.shift() as T, done: false };
        if (failure) throw failure.error;
        if (complete) return { value: undefined, done: true };
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async return(): Promise<IteratorResult<T>> {
      subscription?.unsubscribe();
      complete = true;
      buffer.length = 0;
      return { value: undefined, done: true };
    },
  };
}
