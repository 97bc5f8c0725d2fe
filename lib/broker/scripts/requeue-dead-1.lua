-- Puts failed tasks from a queue's dead-letter set back to work: each becomes SUBMITTED at the
-- tail of its priority's list with its failure count reset (its attempt number goes on).
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  queue   ARGV[4]  max tasks
-- ARGV[5..] ids to requeue (none: the oldest `max tasks` of the set)
-- Returns  the ids requeued
--@include common

local base, maxLen, queue, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local deadKey = queueKey(base, queue, QUEUE_DEAD)
local requeued = {}
for _, id in ipairs(deadIdsToHandle(deadKey, 5, limit)) do
  local key = taskKey(base, id)
  local t = redis.call('HMGET', key, F_STATUS, F_NAME, F_PRIORITY, F_ATTEMPT)
  if redis.call('ZREM', deadKey, id) == 1 and t[1] == 'failed' then
    redis.call('PERSIST', key)
    redis.call('HDEL', key, F_FAILURES, F_RECLAIMS, F_CANCEL)
    pushReady(base, queue, id, t[3], false)
    recordStatus(base, key, id, t[2], queue, 'submitted', t[4] or 0, maxLen)
    requeued[#requeued + 1] = id
  end
end
if #requeued > 0 then
  wake(base, queue)
end
return requeued
