/** How long a cancel waits for its run: longer than a claim's reply can take to come back. */
const KEEP_MS = 60_000;
/** Cancels kept at most: every worker hears every cancel of its prefix, most for other workers. */
const MAX_KEPT = 10_000;

/**
 * Cancels heard for tasks this worker runs no run of, kept a while. A cancel published just
 * after a claim script started a task reaches the worker over pub/sub, on another connection,
 * possibly before the claim's reply does (on Redis Cluster a claim waits for several slots'
 * replies): the run, started a moment later, would miss it until its next lease renewal read
 * the cancel flag. The runner looks here as each run starts, and has the flag read at once
 * when its id is here (the id may be a new task's since, a unique one's, which the flag tells).
 */
export class EarlyCancels {
  /** Task id → when the cancel was heard (insertion order is time order). */
  private readonly heard = new Map<string, number>();

  add(id: string): void {
    const now = Date.now();
    this.heard.delete(id);
    this.heard.set(id, now);
    for (const [oldest, at] of this.heard) {
      if (this.heard.size <= MAX_KEPT && at > now - KEEP_MS) break;
      this.heard.delete(oldest);
    }
  }

  /** Whether a cancel of `id` was heard lately; forgets it. */
  take(id: string): boolean {
    if (this.heard.size === 0) return false;
    const at = this.heard.get(id);
    if (at === undefined) return false;
    this.heard.delete(id);
    return at > Date.now() - KEEP_MS;
  }
}
