import calculateSlot from 'cluster-key-slot';
import type { Cluster, Redis } from 'ioredis';

/** Tries on a cluster's slot primary before a redirection is given up on (about 4.5 s). */
const SLOT_ATTEMPTS = 10;

/**
 * The connection to the primary that serves `key`'s slot, as the cluster client last heard
 * (its slot map, refreshed on MOVED); undefined while it knows none. For the calls that must
 * run on one node's own connection, which a cluster client's redirections do not keep.
 */
export function slotPrimary(cluster: Cluster, key: string): Redis | undefined {
  return nodeAt(cluster, cluster.slots[calculateSlot(key)]?.[0]);
}

/**
 * Runs `call` on the connection of the primary that serves `key`, following the cluster's
 * redirections itself. The cluster client's own would neither keep a script and the WAIT
 * behind it on one node, nor keep a script out of a slot being migrated:
 * - MOVED (a failover, or a resharding finished): the node it names, and a slot map refresh.
 * - ASK (the slot is being migrated): not followed; the call is made again, backing off, until
 *   the slot's new owner takes it (MOVED). A script names one key, its slot's routing key, which
 *   no node ever has, so the source sends every script to the target, where ASKING would let it
 *   run on the keys the target has: before the last MIGRATE, part of the slot's state (a task
 *   without its queue), and keys written there that the migration of the source's then fails
 *   on (BUSYKEY); and even after it, Redis refuses a command of the script that names several
 *   keys of the slot of which one does not exist ("non local key"), after the script's
 *   earlier writes. A slot's migration lasts as long as its MIGRATE calls: milliseconds for
 *   a queue's keys.
 * - TRYAGAIN, CLUSTERDOWN: the slot map refreshed, and the call made again, backing off, as
 *   the cluster client does with its own commands.
 * Each of these means the call ran nowhere. A connection closed under a call (a failover) is
 * not retried here: the call may have run with its reply lost, and only its caller knows how
 * to find out (the settler sends outcomes again as repeats; an enqueue's deadline and id
 * checks answer a second send).
 */
export async function onSlotPrimary<T>(
  cluster: Cluster,
  key: string,
  call: (node: Redis) => Promise<T>,
): Promise<T> {
  let movedTo: Redis | undefined;
  for (let attempt = 1; ; attempt++) {
    const node = movedTo ?? slotPrimary(cluster, key);
    movedTo = undefined;
    try {
      if (!node) throw new Error(`CLUSTERDOWN no primary known for key ${key} yet`);
      return await call(node);
    } catch (error) {
      const redirection = redirectionOf(error);
      if (!redirection || attempt >= SLOT_ATTEMPTS) throw error;
      if (redirection.kind === 'moved') movedTo = nodeAt(cluster, redirection.address);
      if (redirection.kind !== 'ask') cluster.refreshSlotsCache();
      if (!movedTo) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

type Redirection = { kind: 'moved'; address: string } | { kind: 'ask' | 'retry' };

/** What a failed call's error says to do; undefined when it is not a redirection. */
function redirectionOf(error: unknown): Redirection | undefined {
  if (!(error instanceof Error)) return undefined;
  const moved = /^MOVED \d+ (\S+)/.exec(error.message);
  if (moved) return { kind: 'moved', address: moved[1] };
  if (/^ASK\b/.test(error.message)) return { kind: 'ask' };
  if (/^(TRYAGAIN|CLUSTERDOWN)\b/.test(error.message)) {
    return { kind: 'retry' };
  }
  return undefined;
}

function nodeAt(cluster: Cluster, address: string | undefined): Redis | undefined {
  if (address === undefined) return undefined;
  return cluster
    .nodes('master')
    .find((node) => `${node.options.host}:${node.options.port}` === address);
}
