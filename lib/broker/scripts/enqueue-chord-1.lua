-- Writes a chord (Celery's chord, with its join counted in Redis): the parts, placed like any
-- tasks and linked to the callback (F_CHORD, F_CHORDINDEX), and the callback, parked until
-- every part ended (F_PENDING counts down; see chordPartSucceeded). All or nothing.
-- KEYS[1]  the prefix's queues set (routes the call on Cluster)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  number of tasks (the parts, then the
--          callback), then the 13 fields of enqueue-1.lua per task (dedupe ignored)
-- Returns  1 written, 0 an id is taken (nothing written)
--@include common
--@include tasks

local FIELDS = 13
local base, maxLen, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = nowMs()
local function field(task, offset) return ARGV[4 + (task - 1) * FIELDS + offset] end

if anyIdTaken(base, count, function(task) return field(task, 0) end) then return 0 end

local parts, callbackId = count - 1, field(count, 0)
local seenQueues = {}
for task = 1, count do
  local id, queue = field(task, 0), field(task, 1)
  registerQueue(base, KEYS[1], queue, seenQueues)
  local dueAt = nil
  if task <= parts then
    local runAt = tonumber(field(task, 6))
    dueAt = runAt > 0 and runAt or now + tonumber(field(task, 5))
  end
  writeTask(base, maxLen, now, id, {
    queue = queue, name = field(task, 2), args = field(task, 3), priority = field(task, 4),
    options = field(task, 7), resultTtl = field(task, 8), metadata = field(task, 9),
    lock = field(task, 11), limit = field(task, 12),
  }, dueAt)
  if task <= parts then
    redis.call('HSET', taskKey(base, id), F_CHORD, callbackId, F_CHORDINDEX, task - 1)
  else
    redis.call('HSET', taskKey(base, id), F_AFTER, 'chord', F_PARTS, parts, F_PENDING, parts)
  end
end
for queue in pairs(seenQueues) do
  wake(base, queue)
end
return 1
