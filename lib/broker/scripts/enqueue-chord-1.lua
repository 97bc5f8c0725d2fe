-- Writes a chord (Celery's chord, with its join counted in Redis): the parts, placed like any
-- tasks and linked to the callback (F_CHORD, F_CHORDINDEX), and the callback, parked until
-- every part ended (F_PENDING counts down; see chordPartSucceeded). All or nothing.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  deadline (server clock, epoch ms; see
--          pastDeadline)   ARGV[4]  number of tasks (the parts, then the callback), then the
--          NEW_TASK_FIELDS fields of newTaskArguments (new-task.ts) per task (dedupe ignored)
-- Returns  the server time (epoch ms), then CODE.WRITTEN, CODE.ID_TAKEN (an id is taken:
--          nothing written), CODE.SENT_AGAIN (written already by this very call, see
--          workflowIdsTaken) or CODE.PAST_DEADLINE (nothing written)
--@include common
--@include tasks

local FIELDS = NEW_TASK_FIELDS
local base, maxLen, count = ARGV[1], ARGV[2], tonumber(ARGV[4])
local now = nowMs()
local function at(task) return 5 + (task - 1) * FIELDS end
local function field(task, offset) return ARGV[at(task) + offset] end

if pastDeadline(ARGV[3], now) then return { now, CODE.PAST_DEADLINE } end
local taken = workflowIdsTaken(base, count, at)
if taken then return { now, taken } end

local parts, callbackId = count - 1, field(count, 0)
local seenQueues = {}
for task = 1, count do
  local id, queue = field(task, 0), field(task, 1)
  registerQueue(base, queue, seenQueues)
  -- The parts are placed; the callback is parked (no due time) until they all ended.
  writeTask(base, maxLen, now, id, taskFromArgv(at(task)),
    task <= parts and dueAtFromArgv(at(task), now) or nil)
  if task <= parts then
    redis.call('HSET', taskKey(base, id), F_CHORD, callbackId, F_CHORDINDEX, task - 1)
  else
    redis.call('HSET', taskKey(base, id), F_AFTER, 'chord', F_PARTS, parts, F_PENDING, parts)
  end
end
for queue in pairs(seenQueues) do
  wake(base, queue)
end
return { now, CODE.WRITTEN }
