import { TaskmillError } from './taskmill.error';

/** A value that the serializer cannot round-trip (function, BigInt, cycle, Date, ...). */
export class SerializationError extends TaskmillError {
  constructor(
    /** Where the value sits, e.g. `args[1].when`. */
    readonly path: string,
    problem: string,
  ) {
    super(`Cannot serialise ${path}: ${problem}`);
  }
}
