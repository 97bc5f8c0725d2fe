import { TaskmillError } from '../errors';

/** No redis-server binary could be found or installed. */
export class RedisServerUnavailableError extends TaskmillError {
  constructor(detail: string) {
    super(
      `Cannot start a private Redis: ${detail}. Install one (Debian/Ubuntu: ` +
        `"sudo apt-get install -y redis-server", macOS: "brew install redis") or point ` +
        `REDIS_URL at a Redis you already run, e.g. REDIS_URL=redis://127.0.0.1:6379.`,
    );
  }
}
