import { ChildProcess } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Redis } from 'ioredis';
import { freePort, waitUntilListening } from '../../lib/testing/redis-process';
import { dataServerArgs, spawnRedisServer, stopChild, waitFor } from './redis-server-process';

/**
 * A private primary with one replica, on free ports in a temporary directory, for tests of
 * what waits for replicas. The replica can be detached (REPLICAOF NO ONE: it keeps running and
 * stops confirming writes) and attached again.
 */
export class ReplicatedRedis {
  private constructor(
    private readonly dir: string,
    private readonly children: ChildProcess[],
    readonly primaryPort: number,
    readonly primary: Redis,
    readonly replica: Redis,
  ) {}

  static async start(): Promise<ReplicatedRedis> {
    const dir = mkdtempSync(join(tmpdir(), 'taskmill-replicated-'));
    const [primaryPort, replicaPort] = [await freePort(), await freePort()];
    const primary = spawnRedisServer(dir, 'primary', dataServerArgs(dir, 'primary', primaryPort));
    const replica = spawnRedisServer(dir, 'replica', [
      ...dataServerArgs(dir, 'replica', replicaPort),
      '--replicaof',
      '127.0.0.1',
      String(primaryPort),
    ]);
    await waitUntilListening(primaryPort, primary);
    await waitUntilListening(replicaPort, replica);
    const setup = new ReplicatedRedis(
      dir,
      [primary, replica],
      primaryPort,
      new Redis({ host: '127.0.0.1', port: primaryPort }),
      new Redis({ host: '127.0.0.1', port: replicaPort }),
    );
    await setup.attach();
    return setup;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.primaryPort}`;
  }

  /** The replica stops replicating: the primary has no replica to confirm its writes. */
  async detach(): Promise<void> {
    await this.replica.replicaof('NO', 'ONE');
    await waitFor('for the primary to see no replica', async () =>
      /^connected_slaves:0/m.test(await this.primary.info('replication')),
    );
  }

  /**
   * The replica follows the primary again; resolves once the primary's WAIT counts it. Neither
   * the replica's "link up" nor the primary's "online" is enough: the replica acknowledges its
   * offset once a second, and until its first acknowledgement WAIT counts no replica.
   */
  async attach(): Promise<void> {
    await this.replica.replicaof('127.0.0.1', String(this.primaryPort));
    await waitFor('for the primary to count the replica in WAIT', async () => {
      // WAIT counts the replicas that have this connection's writes: it needs one of its own.
      const replies = await this.primary
        .pipeline()
        .set('replicated-redis:probe', '1', 'PX', 1000)
        .wait(1, 100)
        .exec();
      return replies?.[1]?.[1] === 1;
    });
  }

  async stop(): Promise<void> {
    this.primary.disconnect();
    this.replica.disconnect();
    await Promise.all(this.children.map((child) => stopChild(child)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
