-- Records a failed run that will be retried: keeps the error, drops the lease and schedules
-- the next attempt after `delay` ms (ready at once when 0). Fenced like complete.
-- KEYS[1]  the prefix's queues set (routes the call on Cluster)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  id   ARGV[4]  attempt
-- ARGV[5]  error JSON   ARGV[6]  delay ms
-- Returns  1 recorded, 2 recorded as CANCELLED, -1 fenced, -2 no task
--@include common

local base, maxLen, id, attempt = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local errorJson, delay = ARGV[5], tonumber(ARGV[6])
local now = nowMs()
local key, code = currentRun(base, id, attempt)
if not key then
  return code
end
if finishIfCancelled(base, key, id, attempt, now, maxLen) then
  return 2
end
local queue = endRun(base, key, id)
redis.call('HINCRBY', key, 'failures', 1)
redis.call('HSET', key, 'error', errorJson)
recordStatus(base, key, id, 'retrying', attempt, now, maxLen, 'error', errorJson)
if delay > 0 then
  redis.call('ZADD', queueKey(base, queue, QUEUE_DELAYED), now + delay, id)
else
  makeReady(base, queue, key, id, redis.call('HGET', key, 'priority'))
end
-- Idle workers recompute when to wake up, or claim the task right away.
wake(base, queue)
return 1
