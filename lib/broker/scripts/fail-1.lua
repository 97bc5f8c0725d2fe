-- Records a run that failed for good: keeps the error, drops the lease, adds the task to its
-- queue's dead-letter set (trimmed by age) and publishes FAILED. Fenced like complete.
-- KEYS[1]  the prefix's queues set (routes the call on Cluster)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  id   ARGV[4]  attempt
-- ARGV[5]  error JSON   ARGV[6]  dead-letter TTL ms
-- Returns  1 recorded, 2 recorded as CANCELLED, -1 fenced, -2 no task
--@include common

local base, maxLen, id, attempt = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local errorJson, deadTtl = ARGV[5], tonumber(ARGV[6])
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
local deadKey = queueKey(base, queue, QUEUE_DEAD)
redis.call('ZADD', deadKey, now, id)
redis.call('ZREMRANGEBYSCORE', deadKey, '-inf', now - deadTtl)
recordStatus(base, key, id, 'failed', attempt, now, maxLen, 'error', errorJson)
-- The task stays readable as long as its dead-letter entry does.
expireFinished(base, key, id, math.max(tonumber(redis.call('HGET', key, 'resultTtl')), deadTtl))
return 1
