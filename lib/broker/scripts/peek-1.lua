-- The next ready tasks of a queue in claim order (lowest priority first, FIFO within), read
-- only. Delayed tasks are not included, even due ones, until a claim moves them to a list.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue   ARGV[3]  how many
-- Returns  CODE.UNKNOWN_QUEUE, else per task { id, name, priority, status, attempt, createdAt }
--@include common
--@include admin

local base, queue, wanted = ARGV[1], ARGV[2], tonumber(ARGV[3])
-- Ids of tasks no longer waiting are skipped like a claim skips them; this bounds the walk
-- over such leftovers.
local EXAMINE_LIMIT = 10000

if not isKnownQueue(base, queue) then
  return CODE.UNKNOWN_QUEUE
end
local prioritiesKey = queueKey(base, queue, QUEUE_PRIORITIES)
local found, examined, offset = {}, 0, 0
while #found < wanted and examined < EXAMINE_LIMIT do
  local priority = redis.call('ZRANGE', prioritiesKey, offset, offset)[1]
  if not priority then
    break
  end
  offset = offset + 1
  local list, position = readyKey(base, queue, priority), 0
  while #found < wanted and examined < EXAMINE_LIMIT do
    local ids = redis.call('LRANGE', list, position, position + wanted - #found - 1)
    if #ids == 0 then
      break
    end
    position = position + #ids
    for _, id in ipairs(ids) do
      examined = examined + 1
      local t = redis.call('HMGET', taskKey(base, id), F_STATUS, F_NAME, F_ATTEMPT, F_CREATEDAT)
      if t[1] == 'submitted' or t[1] == 'retrying' then
        found[#found + 1] = { id, t[2] or '', priority, t[1], t[3] or '0', t[4] or '0' }
      end
    end
  end
end
return found
