-- Writes a chain: every step's record at once (so each can be followed from the start), the
-- first one placed like any task, the others parked behind their predecessor (F_AFTER) until
-- it ends. Each step but the last names the next one (F_NEXT); every step keeps the chain's
-- length (F_CHAINSTEPS), so that the chain can be found again from its id. All or nothing.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  deadline (server clock, epoch ms; see
--          pastDeadline)   ARGV[4]  number of steps, then NEW_TASK_FIELDS + 1 fields per step:
--          the NEW_TASK_FIELDS of newTaskArguments (new-task.ts; dedupe ignored) and '1' when
--          the chain goes on past this step's failure ('' otherwise)
-- Returns  the server time (epoch ms), then CODE.WRITTEN, CODE.ID_TAKEN (a step id is taken:
--          nothing written), CODE.SENT_AGAIN (written already by this very call, see
--          workflowIdsTaken) or CODE.PAST_DEADLINE (nothing written)
--@include common
--@include tasks

local FIELDS = NEW_TASK_FIELDS + 1
local base, maxLen, count = ARGV[1], ARGV[2], tonumber(ARGV[4])
local now = nowMs()
local function at(step) return 5 + (step - 1) * FIELDS end
local function field(step, offset) return ARGV[at(step) + offset] end

if pastDeadline(ARGV[3], now) then return { now, CODE.PAST_DEADLINE } end
local taken = workflowIdsTaken(base, count, at)
if taken then return { now, taken } end

local seenQueues = {}
for step = 1, count do
  local id, queue = field(step, 0), field(step, 1)
  registerQueue(base, queue, seenQueues)
  -- Only the first step is placed; the others are parked (no due time) behind it.
  writeTask(base, maxLen, now, id, taskFromArgv(at(step)),
    step == 1 and dueAtFromArgv(at(step), now) or nil)
  local links = { F_CHAINSTEPS, count }
  if step > 1 then
    links[#links + 1] = F_AFTER
    links[#links + 1] = field(step - 1, 0)
  end
  if step < count then
    links[#links + 1] = F_NEXT
    links[#links + 1] = field(step + 1, 0)
  end
  if field(step, NEW_TASK_FIELDS) == '1' then
    links[#links + 1] = F_CONTINUEONFAILURE
    links[#links + 1] = '1'
  end
  redis.call('HSET', taskKey(base, id), unpack(links))
end
wake(base, field(1, 1))
return { now, CODE.WRITTEN }
