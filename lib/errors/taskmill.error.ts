/**
 * Base class of every error taskmill throws. `instanceof TaskmillError` catches them all;
 * each subclass's message says what was wrong and what to do about it.
 */
export class TaskmillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
