-- Records a successful run: stores the result, drops the lease, publishes SUCCEEDED and lets
-- the task expire after its resultTtl. Fenced: only the task's current attempt may complete it.
-- KEYS[1]  the prefix's queues set (routes the call on Cluster)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  id   ARGV[4]  attempt
-- ARGV[5]  serialised result ('' when results are discarded)
-- Returns  1 recorded, 2 recorded as CANCELLED (cancel was requested), -1 fenced, -2 no task
--@include common

local base, maxLen, id, attempt = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = nowMs()
local key, code = currentRun(base, id, attempt)
if not key then
  return code
end
if finishIfCancelled(base, key, id, attempt, now, maxLen) then
  return 2
end
endRun(base, key, id)
redis.call('HSET', key, 'result', ARGV[5])
recordStatus(base, key, id, 'succeeded', attempt, now, maxLen)
expireFinished(base, key, id, redis.call('HGET', key, 'resultTtl'))
return 1
