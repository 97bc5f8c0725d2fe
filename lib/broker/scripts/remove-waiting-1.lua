-- Removes ready tasks whose priority is strictly below or above a threshold (good-redis's
-- psdeletebelowthreshold): each ends CANCELLED, with an event, and expires like a finished
-- task. At most `batch` ids per call so that Redis is never held long; the caller calls again
-- while `more` says some may be left. Delayed tasks are not touched.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  queue
-- ARGV[4]  below ('' for none)   ARGV[5]  above ('' for none)   ARGV[6]  batch
-- Returns  { tasks cancelled, CODE.MORE when some may be left else CODE.DONE },
--          { CODE.UNKNOWN_QUEUE, 0 }
--@include common
--@include admin

local base, maxLen, queue = ARGV[1], ARGV[2], ARGV[3]
local below, above, batch = ARGV[4], ARGV[5], tonumber(ARGV[6])

if not isKnownQueue(base, queue) then
  return { CODE.UNKNOWN_QUEUE, 0 }
end
local prioritiesKey = queueKey(base, queue, QUEUE_PRIORITIES)
local priorities = {}
local function collect(min, max)
  for _, priority in ipairs(redis.call('ZRANGEBYSCORE', prioritiesKey, min, max, 'LIMIT', 0,
    batch)) do
    priorities[#priorities + 1] = priority
  end
end
if below ~= '' then
  collect('-inf', '(' .. below)
end
if above ~= '' then
  collect('(' .. above, '+inf')
end

local budget, cancelled = batch, 0
for _, priority in ipairs(priorities) do
  if budget == 0 then
    break
  end
  local ids = redis.call('LPOP', readyKey(base, queue, priority), budget)
  if not ids or #ids < budget then
    -- Drained (LPOP deleted the list), as a claim would find it.
    redis.call('ZREM', prioritiesKey, priority)
  end
  for _, id in ipairs(ids or {}) do
    budget = budget - 1
    local key = taskKey(base, id)
    local t = redis.call('HMGET', key, F_STATUS, F_NAME, F_ATTEMPT, F_RESULTTTL)
    -- An id whose task is no longer waiting is dropped silently, as a claim would skip it.
    if t[1] == 'submitted' or t[1] == 'retrying' then
      recordStatus(base, key, id, t[2], queue, 'cancelled', t[3] or 0, maxLen)
      expireFinished(key, t[4] or DEFAULT_RESULT_TTL)
      cancelled = cancelled + 1
    end
  end
end
return { cancelled, budget == 0 and CODE.MORE or CODE.DONE }
