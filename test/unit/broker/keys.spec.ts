import {
  KEY_FAMILIES,
  KeyBuilder,
  LOCK_FIELDS,
  luaKeyLayout,
  QUEUE_KEY_KINDS,
  QueueKeyKind,
  STORED_DEFAULTS,
  TASK_FIELDS,
} from '../../../lib/broker/keys';

const KINDS = Object.keys(QUEUE_KEY_KINDS).filter(
  (kind) => !['ready', 'held', 'starts', 'debounce'].includes(kind),
) as QueueKeyKind[];

function everyKey(keys: KeyBuilder): string[] {
  return [
    keys.prefixSlot.task('id-1'),
    keys.slot('emails').ready('emails', 0),
    keys.slot('emails').ready('emails', -5),
    ...KINDS.map((kind) => keys.slot('emails').queue('emails', kind)),
    keys.queues(),
    keys.queueLog(),
    keys.nudge('reader-1'),
    keys.presence('reader-1'),
    keys.slot('emails').sweepLock('emails'),
    keys.slot('emails').debounce('emails', 'email.send', 'user-1'),
    keys.cancelChannel(),
    keys.lock('nightly-report'),
    keys.family('lockFence'),
    keys.family('lockReleased'),
  ];
}

describe('KeyBuilder', () => {
  it('exposes the hash tag {prefix} as its base', () => {
    expect(new KeyBuilder('app').base).toBe('{app}');
  });

  it('starts every key of a prefix with the hash tag {prefix}: so that all of them share a slot', () => {
    for (const key of everyKey(new KeyBuilder('app'))) {
      expect(key.startsWith('{app}:')).toBe(true);
    }
  });

  it('puts exactly one hash tag in each key, so Redis Cluster hashes only the prefix', () => {
    for (const key of everyKey(new KeyBuilder('app'))) {
      expect(key.match(/[{}]/g)).toEqual(['{', '}']);
    }
  });

  it('gives every key family and queue kind a distinct key', () => {
    const keys = everyKey(new KeyBuilder('app'));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives the same queue kind of two queues distinct keys', () => {
    const keys = new KeyBuilder('app');
    expect(keys.slot('a').queue('a', 'delayed')).not.toBe(keys.slot('b').queue('b', 'delayed'));
    expect(keys.slot('a').ready('a', 0)).not.toBe(keys.slot('b').ready('b', 0));
  });

  it('gives each priority of a queue its own ready list', () => {
    const keys = new KeyBuilder('app');
    expect(keys.slot('a').ready('a', 0)).toBe('{app}:q:a:ready:0');
    expect(keys.slot('a').ready('a', -3)).not.toBe(keys.slot('a').ready('a', 3));
  });

  it('gives the task keys of two ids distinct keys', () => {
    const keys = new KeyBuilder('app');
    expect(keys.prefixSlot.task('1')).not.toBe(keys.prefixSlot.task('2'));
  });

  it('never shares a key between two prefixes', () => {
    const a = everyKey(new KeyBuilder('a'));
    const b = new Set(everyKey(new KeyBuilder('b')));
    expect(a.filter((key) => b.has(key))).toEqual([]);
  });

  it('gives each lock name its own key, which a task id or queue name cannot collide with', () => {
    const keys = new KeyBuilder('app');
    expect(keys.lock('a')).toBe('{app}:lock:a');
    expect(keys.lock('a')).not.toBe(keys.lock('b'));
    expect(keys.lock('a')).not.toBe(keys.prefixSlot.task('a'));
  });

  it("gives each task name and debounce id of a queue its own debounce key, under the queue's keys", () => {
    const slot = new KeyBuilder('app').slot('emails');
    expect(slot.debounce('emails', 'email.send', 'user:1')).toBe(
      '{app}:q:emails:debounce:email.send:user:1',
    );
    expect(slot.debounce('emails', 'email.send', 'a')).not.toBe(
      slot.debounce('emails', 'email.other', 'a'),
    );
  });

  it('builds queue keys from the family, the queue name and the kind', () => {
    expect(new KeyBuilder('app').slot('emails').queue('emails', 'delayed')).toBe(
      '{app}:q:emails:delayed',
    );
  });
});

describe('luaKeyLayout', () => {
  const layout = luaKeyLayout();

  it.each(Object.entries(KEY_FAMILIES))('declares family %s as FAMILY_<NAME>', (name, value) => {
    expect(layout).toContain(`local FAMILY_${name.toUpperCase()} = '${value}'`);
  });

  it.each(Object.entries(QUEUE_KEY_KINDS))(
    'declares queue kind %s as QUEUE_<NAME>',
    (name, value) => {
      expect(layout).toContain(`local QUEUE_${name.toUpperCase()} = '${value}'`);
    },
  );

  it.each(Object.entries(TASK_FIELDS))('declares task field %s as F_<NAME>', (name, value) => {
    expect(layout).toContain(`local F_${name.toUpperCase()} = '${value}'`);
  });

  it.each(Object.entries(LOCK_FIELDS))('declares lock field %s as LOCK_<NAME>', (name, value) => {
    expect(layout).toContain(`local LOCK_${name.toUpperCase()} = '${value}'`);
  });

  it('declares nothing but the families, kinds and fields, one per line', () => {
    const lines = layout.split('\n');
    expect(lines).toHaveLength(
      Object.keys(KEY_FAMILIES).length +
        Object.keys(QUEUE_KEY_KINDS).length +
        Object.keys(TASK_FIELDS).length +
        Object.keys(LOCK_FIELDS).length +
        Object.keys(STORED_DEFAULTS).length +
        1, // INLINE_RESULT_MAX
    );
    for (const line of lines) expect(line).toMatch(/^local [A-Z_]+ = ('[a-z-]+'|\d+)$/);
  });

  it('gives every task field a distinct name', () => {
    const names = Object.values(TASK_FIELDS);
    expect(new Set(names).size).toBe(names.length);
  });

  it('declares each Lua name only once', () => {
    const names = layout.split('\n').map((line) => line.split(' ')[1]);
    expect(new Set(names).size).toBe(names.length);
  });
});
