-- Writes a batch of new tasks. Atomic mode (enqueueMany): all of them, or none when an id is
-- taken. Independent mode (single enqueues coalesced by the client): each task on its own.
-- Nothing is written once the caller's deadline has passed (see pastDeadline).
-- A batch across slots (enqueueMany, a chain or a chord whose tasks are in several slots;
-- lib/broker/staged-batch.ts) is written in two steps, each atomic in its slot: 'stage' on
-- every slot but the coordinator's writes that slot's tasks invisible (in no queue, F_STAGED,
-- listed in the slot's staged set until the deadline); 'commit' on the coordinator's writes
-- its tasks as usual and the batch's commit mark; then release-staged-1.lua releases (or
-- removes) each staged part, or the sweep does, after the deadline, from the commit mark.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base `{prefix}`   ARGV[2]  events stream MAXLEN
-- ARGV[3]  '1' atomic, '0' not, 's' stage, 'c' commit (both atomic)
-- ARGV[4]  deadline (server clock, epoch ms)   ARGV[5]  batch id ('' unless 's' or 'c')
-- ARGV[6]  'c': the commit mark's TTL ms; 's': the coordinator slot's base
-- ARGV[7]  number of tasks, then NEW_TASK_FIELDS + 2 fields per task:
--          id, queue, name, args, priority, delay ms, runAt epoch ms (0: none),
--          options (encoded, '' for defaults), resultTtl ms ('' for the default),
--          metadata ('' for none), dedupe ('': the id is taken by any record; else 'e', 'r' or
--          'm' for the duplicate policy, then for unique tasks ':<ms>', how long after finishing
--          the holder keeps the id), lock name ('' none), concurrency limit ('' none), group
--          key ('' none), the enqueue span's traceparent ('' none), the debounce ('' none; else
--          `<delayMs>:<maxDelayMs>:<debounce id>`, independent mode only: includes/debounce.lua)
--          (NEW_TASK_FIELDS fields: newTaskArguments in new-task.ts), then
--          workflow links (JSON array of task hash field/value pairs to add, '' none), '1' when
--          the task is parked (a chain step after the first, a chord callback: placed by its
--          predecessor's end), '' otherwise
-- Returns  the server time (epoch ms), then one code per task: CODE.WRITTEN, CODE.ID_TAKEN,
--          CODE.RETURN_EXISTING (the id is taken and the holder is returned: policy 'r', or 'm'
--          with the same definition), CODE.SKIPPED (atomic mode: another task's id was taken),
--          CODE.PAST_DEADLINE (every task: nothing written), CODE.DEFINITION_DIFFERS + d (the id
--          is taken by a task of another definition: policy 'm'; d is definitionDiff's bitmask),
--          { CODE.DEBOUNCED, id } (merged into the pending task `id` of its debounce burst;
--          nothing new written). Tasks are written in order, so an enqueue merges into a burst
--          that an earlier task of the same call started.
--@include common
--@include tasks
--@include debounce

local FIELDS = NEW_TASK_FIELDS + 2
local FIRST = 8
local base, maxLen, mode = ARGV[1], ARGV[2], ARGV[3]
local atomic = mode ~= '0'
local count = tonumber(ARGV[7])
local now = nowMs()
local codes = { now }
local TERMINAL = { succeeded = true, failed = true, cancelled = true }

if pastDeadline(ARGV[4], now) then
  for i = 1, count do codes[i + 1] = CODE.PAST_DEADLINE end
  return codes
end

-- Is the id free? A unique task's id is free again `window` ms after its holder finished;
-- returns true and the finished holder's queue when that record must go first.
local function idIsFree(key, window)
  if not window then
    return redis.call('EXISTS', key) == 0
  end
  local t = redis.call('HMGET', key, F_STATUS, F_EVENTID, F_QUEUE)
  if not t[1] then return true end
  local finishedAt = TERMINAL[t[1]] and tonumber((t[2] or ''):match('^(%d+)'))
  if not finishedAt or now < finishedAt + window then return false end
  return true, t[3] or false
end

-- What differs between the task at `at` and the batch's task at `earlier` (definitionDiff's bits).
local function batchDiff(at, earlier)
  local function same(offset) return ARGV[at + offset] == ARGV[earlier + offset] end
  return diffBits(same(2), same(1), same(3))
end

-- The code of a task whose id is taken: by a record, or by the batch's task at `earlier`.
local function takenCode(at, policy, earlier)
  if policy == 'r' then return CODE.RETURN_EXISTING end
  if policy ~= 'm' then return CODE.ID_TAKEN end
  local diff = earlier and batchDiff(at, earlier)
    or definitionDiff(taskKey(base, ARGV[at]), ARGV[at + 2], ARGV[at + 1], ARGV[at + 3])
  return diff == 0 and CODE.RETURN_EXISTING or CODE.DEFINITION_DIFFERS + diff
end

-- seen: id -> where the batch's task that will write it starts in ARGV, or false when the id
-- is held by a record.
local seen, finishedHolders = {}, {}
for i = 1, count do
  local at = FIRST + (i - 1) * FIELDS
  local id, dedupe = ARGV[at], ARGV[at + 10]
  -- Taken: by an existing task, or by an earlier task of this very batch.
  local earlier, free, holderQueue = seen[id], false, nil
  if earlier == nil then
    free, holderQueue = idIsFree(taskKey(base, id), tonumber(dedupe:sub(3)))
    seen[id] = free and at
  end
  finishedHolders[i] = holderQueue
  local code = free and CODE.WRITTEN or takenCode(at, dedupe:sub(1, 1), earlier)
  codes[i + 1] = code
  if atomic and (code == CODE.ID_TAKEN or code >= CODE.DEFINITION_DIFFERS) then
    for j = 1, count do codes[j + 1] = (j == i) and code or CODE.SKIPPED end
    return codes
  end
end

local batch, stagedTasks = ARGV[5], {}
local seenQueues = {}

-- Writes the batch's task `i` (its fields start at ARGV[at]); returns its due time (nil while
-- parked or staged).
local function writeNew(i, at, t)
  local id, queue = ARGV[at], t.queue
  registerQueue(base, queue, seenQueues)
  if finishedHolders[i] ~= nil then
    -- The finished task that held this unique id makes room (and leaves the dead letters).
    redis.call('DEL', taskKey(base, id))
    if finishedHolders[i] then
      redis.call('ZREM', queueKey(base, finishedHolders[i], QUEUE_DEAD), id)
    end
  end
  local parked = ARGV[at + NEW_TASK_FIELDS + 1] == '1'
  local dueAt = (not parked) and dueAtFromArgv(at, now) or nil
  -- Staged: in no queue until its batch is committed; the due time waits in the batch.
  writeTask(base, maxLen, now, id, t, mode ~= 's' and dueAt or nil)
  local links = ARGV[at + NEW_TASK_FIELDS]
  local fields = links ~= '' and cjson.decode(links) or {}
  if mode == 's' then
    fields[#fields + 1] = F_STAGED
    fields[#fields + 1] = batch
    stagedTasks[#stagedTasks + 1] = { id, queue, dueAt or -1 }
  end
  if #fields > 0 then redis.call('HSET', taskKey(base, id), unpack(fields)) end
  return mode ~= 's' and dueAt or nil
end

for i = 1, count do
  if codes[i + 1] == CODE.WRITTEN then
    local at = FIRST + (i - 1) * FIELDS
    local t = taskFromArgv(at)
    -- Debounce: single enqueues only (the client sends none in the atomic modes).
    local burst = mode == '0' and debouncing.parse(t.debounce)
    local burstKey = burst and debounceKey(base, t.queue, t.name, burst.id)
    local pendingId, firstAt
    if burst then pendingId, firstAt = debouncing.pending(base, burstKey, t.queue, now) end
    if pendingId then
      debouncing.merge(base, burstKey, t.queue, pendingId, firstAt, t.args, burst, now)
      codes[i + 1] = { CODE.DEBOUNCED, pendingId }
    else
      local dueAt = writeNew(i, at, t)
      if burst then debouncing.start(burstKey, ARGV[at], now, dueAt) end
    end
  end
end
if mode == 's' then
  redis.call('HSET', slotKey(base, FAMILY_STAGEDBATCH), batch,
    cjson.encode({ c = ARGV[6], t = stagedTasks }))
  redis.call('ZADD', slotKey(base, FAMILY_STAGED), ARGV[4], batch)
  return codes
end
if mode == 'c' then
  redis.call('SET', namedKey(base, FAMILY_BATCH, batch), '1', 'PX', ARGV[6])
end
for queue in pairs(seenQueues) do
  wake(base, queue)
end
return codes
