import { TaskmillError } from './taskmill.error';

/** The Redis server is too old for taskmill's scripts. */
export class UnsupportedRedisError extends TaskmillError {
  constructor(
    readonly version: string,
    readonly minimum: string,
  ) {
    super(
      `Redis ${version} is too old: taskmill needs Redis ${minimum} or newer (or Valkey). ` +
        `Upgrade the server, or point the "connection" option at a newer one.`,
    );
  }
}
