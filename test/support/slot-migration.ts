import { Redis } from 'ioredis';
import { clusterNodes } from './redis-cluster';

/** A primary of the shared test cluster: its id, port and a connection of its own. */
interface Primary {
  id: string;
  port: number;
  redis: Redis;
}

/** Keys per MIGRATE when the rest of a slot is moved. */
const MIGRATE_BATCH = 100;

/**
 * Moves one hash slot from its primary to another, by hand, as `redis-cli --cluster reshard`
 * does (Redis Cluster specification, "Live reconfiguration"): IMPORTING on the target, then
 * MIGRATING on the source; the keys moved with MIGRATE (here in steps a test chooses); then the
 * slot assigned with SETSLOT NODE on the target, the source, and every other primary. In
 * between, the source answers ASK for a key it no longer has, and the target serves a command
 * only right after ASKING.
 */
export class SlotMigration {
  private constructor(
    readonly slot: number,
    readonly source: Primary,
    readonly target: Primary,
    private readonly others: Primary[],
  ) {}

  /** Opens the migration of `slot` to the primary on `targetPort` (default: any other one). */
  static async begin(slot: number, targetPort?: number): Promise<SlotMigration> {
    const primaries = await connectPrimaries();
    const owner = await ownerOf(primaries[0].redis, slot);
    const source = primaries.find((primary) => primary.id === owner);
    const target = primaries.find((primary) =>
      targetPort === undefined ? primary.id !== owner : primary.port === targetPort,
    );
    if (!source || !target || source === target) {
      closeAll(primaries);
      throw new Error(`cannot move slot ${slot} from ${owner} to ${targetPort ?? 'another node'}`);
    }
    const others = primaries.filter((primary) => primary !== source && primary !== target);
    const migration = new SlotMigration(slot, source, target, others);
    try {
      await target.redis.cluster('SETSLOT', slot, 'IMPORTING', source.id);
      await source.redis.cluster('SETSLOT', slot, 'MIGRATING', target.id);
    } catch (error) {
      migration.close();
      throw error;
    }
    return migration;
  }

  /** How many keys of the slot the source still holds. */
  keysLeft(): Promise<number> {
    return this.source.redis.cluster('COUNTKEYSINSLOT', this.slot);
  }

  /**
   * How many script calls (FCALL, EVALSHA, EVAL) the source refused before running them
   * (INFO commandstats' rejected_calls): during the migration, its ASK and TRYAGAIN replies.
   */
  async scriptCallsRefused(): Promise<number> {
    const stats = await this.source.redis.info('commandstats');
    return [...stats.matchAll(/^cmdstat_(?:fcall|evalsha|eval):.*rejected_calls=(\d+)/gm)]
      .map((match) => Number(match[1]))
      .reduce((a, b) => a + b, 0);
  }

  /** Moves up to `count` of the slot's keys to the target, in one MIGRATE; returns how many. */
  async moveKeys(count: number): Promise<number> {
    const keys = (await this.source.redis.cluster('GETKEYSINSLOT', this.slot, count)) as string[];
    if (keys.length === 0) return 0;
    await this.source.redis.migrate('127.0.0.1', this.target.port, '', 0, 5000, 'KEYS', ...keys);
    return keys.length;
  }

  /** Moves every key left, then gives the slot to the target on every primary. */
  async finish(): Promise<void> {
    while ((await this.moveKeys(MIGRATE_BATCH)) > 0);
    for (const primary of [this.target, this.source, ...this.others]) {
      await primary.redis.cluster('SETSLOT', this.slot, 'NODE', this.target.id);
    }
  }

  close(): void {
    closeAll([this.source, this.target, ...this.others]);
  }
}

/** A connection to every primary of the shared test cluster, with its node id. */
async function connectPrimaries(): Promise<Primary[]> {
  const [first] = clusterNodes();
  const probe = new Redis({ ...first, lazyConnect: true });
  let nodes: string;
  try {
    nodes = (await probe.cluster('NODES')) as string;
  } finally {
    probe.disconnect();
  }
  // Each line: <id> <ip:port@bus> <flags> …, flags such as `myself,master`.
  return nodes
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, , flags]) => flags?.split(',').includes('master') && !flags.includes('fail'))
    .map(([id, address]) => {
      const port = Number(/:(\d+)@/.exec(address)?.[1]);
      return { id, port, redis: new Redis({ host: '127.0.0.1', port }) };
    });
}

/** The id of the node that owns `slot`, as the node behind `redis` sees it. */
async function ownerOf(redis: Redis, slot: number): Promise<string> {
  const ranges = await redis.cluster('SLOTS');
  // Each range: [first slot, last slot, primary, …replicas], a node being [host, port, id, …].
  const primary = ranges.find(([first, last]) => first <= slot && slot <= last)?.[2];
  if (!primary) throw new Error(`slot ${slot} is not assigned`);
  return primary[2];
}

function closeAll(primaries: Primary[]): void {
  for (const primary of primaries) primary.redis.disconnect();
}
