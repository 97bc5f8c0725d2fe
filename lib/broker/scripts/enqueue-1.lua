-- Writes a batch of new tasks. Atomic mode (enqueueMany): all of them, or none when an id is
-- taken. Independent mode (single enqueues coalesced by the client): each task on its own.
-- KEYS[1]  the prefix's queues set (also routes the call on Cluster)
-- ARGV[1]  key base `{prefix}`   ARGV[2]  events stream MAXLEN   ARGV[3]  '1' atomic, '0' not
-- ARGV[4]  number of tasks, then 13 fields per task:
--          id, queue, name, args, priority, delay ms, runAt epoch ms (0: none),
--          options (encoded, '' for defaults), resultTtl ms ('' for the default),
--          metadata ('' for none), dedupe ('': the id is taken by any record; else 'e' or 'r'
--          for the duplicate policy, then for unique tasks ':<ms>', how long after finishing
--          the holder keeps the id), lock name ('' none), concurrency limit ('' none)
-- Returns  one code per task: 1 written, 0 id taken, 2 id taken and the holder is returned
--          (policy 'r'), -1 skipped (atomic mode: another task's id was taken).
--@include common
--@include tasks

local FIELDS = 13
local base, maxLen, atomic, count = ARGV[1], ARGV[2], ARGV[3] == '1', tonumber(ARGV[4])
local now = nowMs()
local codes = {}
local TERMINAL = { succeeded = true, failed = true, cancelled = true }

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

local idsInBatch, finishedHolders = {}, {}
for i = 1, count do
  local at = 5 + (i - 1) * FIELDS
  local id, dedupe = ARGV[at], ARGV[at + 10]
  -- Taken: by an existing task, or by an earlier task of this very batch.
  local free, holderQueue = false, nil
  if not idsInBatch[id] then
    free, holderQueue = idIsFree(taskKey(base, id), tonumber(dedupe:sub(3)))
  end
  idsInBatch[id] = true
  finishedHolders[i] = holderQueue
  codes[i] = free and 1 or (dedupe:sub(1, 1) == 'r' and 2 or 0)
  if atomic and codes[i] == 0 then
    for j = 1, count do codes[j] = (j == i) and 0 or -1 end
    return codes
  end
end

local seenQueues = {}
for i = 1, count do
  if codes[i] == 1 then
    local at = 5 + (i - 1) * FIELDS
    local id, queue = ARGV[at], ARGV[at + 1]
    registerQueue(base, KEYS[1], queue, seenQueues)
    if finishedHolders[i] ~= nil then
      -- The finished task that held this unique id makes room (and leaves the dead letters).
      redis.call('DEL', taskKey(base, id))
      if finishedHolders[i] then
        redis.call('ZREM', queueKey(base, finishedHolders[i], QUEUE_DEAD), id)
      end
    end
    writeTask(base, maxLen, now, id, taskFromArgv(at), dueAtFromArgv(at, now))
  end
end
for queue in pairs(seenQueues) do
  wake(base, queue)
end
return codes
