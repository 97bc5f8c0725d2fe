import { Observable, lastValueFrom, toArray } from 'rxjs';

/** Every value an observable emits until it completes. */
export function collect<T>(source: Observable<T>): Promise<T[]> {
  return lastValueFrom(source.pipe(toArray()));
}
