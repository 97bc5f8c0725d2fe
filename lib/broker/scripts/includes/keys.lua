-- Every key, channel and gate name a script uses, built only here: the Lua side of
-- lib/broker/keys.ts (SlotKeys, KeyBuilder), from the names it hands over (FAMILY_*, QUEUE_*,
-- injected above by the loader). A script never joins a key itself, so the layout stays the
-- one keys.ts documents. `base` is the slot's base, `{prefix}` or `{prefix:tag}` (ARGV[1]).

-- The prefix's own slot base `{prefix}` of a slot base (`{prefix}` itself, or `{prefix:tag}` in
-- the 'queue' layout): pub/sub channels are named after it. Prefix-wide *keys* (the queue set,
-- schedules, locks) may be touched only by scripts that run on the prefix's slot.
local function prefixBaseOf(base)
  return base:match('^{[^:}]*') .. '}'
end

-- Whether `base` is the prefix's own slot (always, in the 'prefix' layout).
local function isPrefixSlot(base)
  return base == prefixBaseOf(base)
end

-- A family's one key (or channel) in the slot `base`: `<base>:<family>` (KeyBuilder.family).
local function slotKey(base, family)
  return base .. ':' .. family
end

-- A family's one key (or channel) under the prefix's own slot.
local function prefixKey(base, family)
  return slotKey(prefixBaseOf(base), family)
end

-- One of a family's keys, by its name: `<base>:<family>:<name>`. Besides tasks and queues:
-- FAMILY_LOCK (a named lock's hash), FAMILY_SWEEPLOCK (by queue: held while a worker sweeps its
-- leases), FAMILY_BATCH (by batch id: a cross-slot batch's commit mark, in its coordinator's
-- slot), FAMILY_GATE and FAMILY_GATEWAIT (by gate name: the runs inside a gate, the tasks
-- parked at it).
local function namedKey(base, family, name)
  return slotKey(base, family) .. ':' .. name
end

local function taskKey(base, id)
  return namedKey(base, FAMILY_TASK, id)
end

-- The SCAN pattern of every task record of the slot.
local function taskKeyPattern(base)
  return taskKey(base, '*')
end

-- A queue's structure of `kind` (a QUEUE_* name).
local function queueKey(base, queue, kind)
  return namedKey(base, FAMILY_QUEUE, queue) .. ':' .. kind
end

local function readyKey(base, queue, priority)
  return queueKey(base, queue, QUEUE_READY) .. ':' .. priority
end

-- The debounce key of task name `name` and debounce id `id` in `queue` (QUEUE_DEBOUNCE).
local function debounceKey(base, queue, name, id)
  return queueKey(base, queue, QUEUE_DEBOUNCE) .. ':' .. name .. ':' .. id
end

-- The gates of a task (includes/gates.lua): 'lock:<lock name>' holds one run at a time,
-- 'task:<task name>' as many as its limit. The name is stored in a parked task's F_PARKED.
local function lockGate(lockName)
  return 'lock:' .. lockName
end

local function taskGate(taskName)
  return 'task:' .. taskName
end

-- A chord callback's hash field that keeps the result of part `index` until the join.
local function partResultField(index)
  return F_PARTRESULT .. index
end
