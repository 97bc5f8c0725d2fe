/** Records what handlers did, in order, so tests can assert on it. */
export class Ledger<T = string> {
  readonly entries: T[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  add(entry: T): void {
    this.entries.push(entry);
    this.waiters = this.waiters.filter((w) =>
      this.entries.length >= w.count ? (w.resolve(), false) : true,
    );
  }

  /** Resolves once at least `count` entries were recorded. */
  until(count: number): Promise<void> {
    if (this.entries.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}
