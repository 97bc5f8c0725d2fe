/**
 * Registers queues in the prefix's registry (the queue set and log that `queues()` and readers
 * of every queue use) once per process, before a queue's first task is written: in the
 * `'queue'` key layout an enqueue runs on the queue's own slot and cannot register it itself.
 * A queue registered with no task yet is harmless; a task in an unregistered queue would be
 * missed by readers of every queue, hence first the registry, then the task.
 */
export class QueueRegistration {
  private readonly done = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly register: (queues: string[]) => Promise<unknown>) {}

  async ensure(queues: string[]): Promise<void> {
    const fresh = queues.filter((queue) => !this.done.has(queue) && !this.pending.has(queue));
    if (fresh.length > 0) {
      const call = this.register(fresh).then(() => {
        for (const queue of fresh) this.done.add(queue);
      });
      for (const queue of fresh) this.pending.set(queue, call);
      void call.finally(() => fresh.forEach((queue) => this.pending.delete(queue))).catch(() => {});
    }
    await Promise.all(queues.map((queue) => this.pending.get(queue)));
  }

  /**
   * Forgets that `queue` was registered (this process obliterated it), so that its next task
   * registers it again. Other processes keep their memory of it (see docs/guide.md, obliterate).
   */
  forget(queue: string): void {
    this.done.delete(queue);
  }
}
