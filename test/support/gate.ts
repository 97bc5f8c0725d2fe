import { filter, firstValueFrom } from 'rxjs';
import { TaskHandle, TaskStatus } from '../../lib';

/** Holds handlers until the test opens it; a fresh gate per test. */
export class Gate {
  private open: () => void = () => undefined;
  private opened = new Promise<void>((resolve) => (this.open = resolve));

  /** What a handler awaits. */
  wait(): Promise<void> {
    return this.opened;
  }

  release(): void {
    this.open();
  }

  /** Closes the gate again for the next test. */
  reset(): void {
    this.open();
    this.opened = new Promise<void>((resolve) => (this.open = resolve));
  }
}

/** Resolves once the task has started running (RUNNING seen through status$). */
export async function running(handle: TaskHandle<unknown>): Promise<void> {
  await firstValueFrom(handle.status$.pipe(filter((u) => u.status === TaskStatus.RUNNING)));
}
