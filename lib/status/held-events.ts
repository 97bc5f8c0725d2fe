/**
 * The events a follower hears between its listen and the read that comes after it. Listening
 * first, then reading, leaves no gap where a change could be missed, but a change may then be
 * heard before the read that already shows it: such events are held until the read is
 * applied, then passed on in the order heard; later events pass straight through. Both
 * `status$` (one task) and the result pool (many) follow this way.
 */
export class HeldEvents<T> {
  private held: T[] | undefined = [];
  private pass?: (event: T) => void;

  /** True until release(): the read is still to be applied. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  heard(event: T): void {
    if (this.held) this.held.push(event);
    else this.pass?.(event);
  }

  /** The first held event that `test` accepts (say, a final event heard before the read). */
  find(test: (event: T) => boolean): T | undefined {
    return this.held?.find(test);
  }

  /** The read is applied: held events go to `pass`, in order, then every later one. */
  release(pass: (event: T) => void): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.pass = pass;
    for (const event of held) pass(event);
  }
}
