-- Ages a queue (good-redis's psdecrement_all): every ready task's priority goes down by `by`
-- (it runs sooner), clamped at the lowest allowed priority. Each priority's list is renamed
-- in ascending order: a list's new key is below every priority not yet moved and above every
-- list already moved, so no rename can meet an existing list. Only lists clamped to the
-- floor merge, each appended behind the ones before it, so the claim order of all tasks is
-- unchanged. Delayed tasks are not touched. The stored priority of each moved task is
-- rewritten too (other scripts read it), which makes the call O(ready tasks): it refuses a
-- queue holding more than `max tasks` and changes nothing then.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue   ARGV[3]  by (> 0)   ARGV[4]  lowest priority
-- ARGV[5]  max tasks
-- Returns  { CODE.DONE, tasks moved }, { CODE.UNKNOWN_QUEUE, 0 },
--          { CODE.TOO_MANY_TASKS, ready tasks found }
--@include common
--@include admin

local base, queue, by = ARGV[1], ARGV[2], tonumber(ARGV[3])
local floor, maxTasks = tonumber(ARGV[4]), tonumber(ARGV[5])
-- RPUSH takes the ids of a merged list in chunks: unpack() is limited by the Lua stack.
local CHUNK = 1000

if not isKnownQueue(base, queue) then
  return { CODE.UNKNOWN_QUEUE, 0 }
end
local prioritiesKey = queueKey(base, queue, QUEUE_PRIORITIES)
local registered = redis.call('ZCARD', prioritiesKey)
if registered > maxTasks then
  return { CODE.TOO_MANY_TASKS, registered }
end
local priorities = redis.call('ZRANGE', prioritiesKey, 0, -1)
local lengths, total = {}, 0
for i, priority in ipairs(priorities) do
  lengths[i] = redis.call('LLEN', readyKey(base, queue, priority))
  total = total + lengths[i]
end
if total > maxTasks then
  return { CODE.TOO_MANY_TASKS, total }
end

local function append(from, to, length)
  for start = 0, length - 1, CHUNK do
    redis.call('RPUSH', to, unpack(redis.call('LRANGE', from, start, start + CHUNK - 1)))
  end
  redis.call('DEL', from)
end

local moved = 0
redis.call('DEL', prioritiesKey)
for i, priority in ipairs(priorities) do
  if lengths[i] > 0 then
    local target = string.format('%d', math.max(tonumber(priority) - by, floor))
    if target ~= priority then
      local from, to = readyKey(base, queue, priority), readyKey(base, queue, target)
      local ids = redis.call('LRANGE', from, 0, -1)
      if redis.call('EXISTS', to) == 0 then
        redis.call('RENAME', from, to)
      else
        append(from, to, lengths[i])
      end
      for _, id in ipairs(ids) do
        local key = taskKey(base, id)
        -- Only live waiting tasks: HSET would create a stray record for a deleted one.
        local status = redis.call('HGET', key, F_STATUS)
        if status == 'submitted' or status == 'retrying' then
          redis.call('HSET', key, F_PRIORITY, target)
        end
      end
      moved = moved + lengths[i]
    end
    redis.call('ZADD', prioritiesKey, target, target)
  end
end
return { CODE.DONE, moved }
