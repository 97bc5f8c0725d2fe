import { lastValueFrom, tap } from 'rxjs';
import { TaskHandle } from '../lib';
import { formatStatus, log } from './print';

export interface Followed {
  /** Resolves with the first (current) status: from then on no change can be missed. */
  watching: Promise<void>;
  /** Resolves once the task reached a terminal status (status$ then completes). */
  finished: Promise<void>;
}

/** Prints every status change of one task, from whichever process makes it. */
export function follow(handle: TaskHandle<unknown>): Followed {
  let seen!: () => void;
  const watching = new Promise<void>((resolve) => (seen = resolve));
  const status$ = handle.status$.pipe(
    tap((update) => {
      log(formatStatus(update));
      seen();
    }),
  );
  const finished = lastValueFrom(status$).then(() => undefined);
  return { watching, finished };
}
