import type { Redis } from 'ioredis';
import { AnyRedis, primaryConnections } from '../redis/any-redis';
import { KEY_FAMILIES, KeyBuilder, SlotKeys, TAG_LENGTH } from './keys';

/** The ids of task records one SCAN page found, by the slot they are in. */
export interface TaskRecordPage {
  /** Where the walk goes on; '0' once it passed every record of every primary. */
  position: string;
  slots: { slot: SlotKeys; ids: string[] }[];
}

/**
 * One page of a walk over a prefix's task records, from the client: in the `'queue'` layout
 * they are spread over the queues' slots, and so over a Cluster's nodes, where no one script
 * could SCAN them. The walk visits each primary in turn (in the order of their addresses, the
 * same in every process); its position, `<primary>:<SCAN cursor>`, is kept by the caller
 * between pages (in Redis: any worker goes on from there).
 */
export async function scanTaskRecords(
  redis: AnyRedis,
  keys: KeyBuilder,
  position: string,
  count: number,
): Promise<TaskRecordPage> {
  const primaries = sortedByAddress(await primaryConnections(redis));
  const { primary, cursor } = parsePosition(position);
  // A primary fewer since the position was stored (a node removed), or a position that is
  // none of ours: start again.
  if (!Number.isInteger(primary) || primary >= primaries.length) {
    return { position: '0', slots: [] };
  }
  const [next, found] = await primaries[primary].scan(
    cursor,
    'MATCH',
    taskRecordPattern(keys),
    'COUNT',
    count,
  );
  return {
    position: nextPosition(primary, next, primaries.length),
    slots: bySlot(keys, found),
  };
}

/**
 * The task records of this prefix and none other's: `{prefix}:t:*`, or in the `'queue'` layout
 * `{prefix:<tag>}:t:*` with a tag of exactly TAG_LENGTH characters (prefix names hold no glob
 * characters: see checkName).
 */
function taskRecordPattern(keys: KeyBuilder): string {
  const base = keys.layout === 'prefix' ? keys.base : `{${keys.prefix}:${'?'.repeat(TAG_LENGTH)}}`;
  return `${base}:${KEY_FAMILIES.task}:*`;
}

function bySlot(keys: KeyBuilder, found: string[]): TaskRecordPage['slots'] {
  const slots = new Map<string, { slot: SlotKeys; ids: string[] }>();
  for (const key of found) {
    const base = key.slice(0, key.indexOf('}') + 1);
    let group = slots.get(base);
    if (!group) {
      const slot =
        base === keys.base ? keys.prefixSlot : keys.slotOfTag(base.slice(-1 - TAG_LENGTH, -1));
      group = { slot, ids: [] };
      slots.set(base, group);
    }
    group.ids.push(key.slice(base.length + KEY_FAMILIES.task.length + 2));
  }
  return [...slots.values()];
}

function parsePosition(position: string): { primary: number; cursor: string } {
  const split = position.indexOf(':');
  // A plain cursor (stored before the walk spanned primaries) is one on the first.
  if (split === -1) return { primary: 0, cursor: position };
  return { primary: Number(position.slice(0, split)), cursor: position.slice(split + 1) };
}

function nextPosition(primary: number, cursor: string, primaries: number): string {
  if (cursor !== '0') return `${primary}:${cursor}`;
  return primary + 1 < primaries ? `${primary + 1}:0` : '0';
}

function sortedByAddress(primaries: Redis[]): Redis[] {
  const address = (node: Redis) => `${node.options.host ?? ''}:${node.options.port ?? ''}`;
  return [...primaries].sort((a, b) => address(a).localeCompare(address(b)));
}
