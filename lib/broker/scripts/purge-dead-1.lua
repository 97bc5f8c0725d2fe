-- Deletes failed tasks from a queue's dead-letter set, with their records.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue   ARGV[3]  max tasks   ARGV[4..] ids (none: the oldest)
-- Returns  the number of tasks purged
--@include common

local base, queue, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local deadKey = queueKey(base, queue, QUEUE_DEAD)
local purged = 0
for _, id in ipairs(deadIdsToHandle(deadKey, 4, limit)) do
  if redis.call('ZREM', deadKey, id) == 1 then
    local key = taskKey(base, id)
    -- Only a task that is still failed: a requeued or re-enqueued id keeps its record.
    if redis.call('HGET', key, F_STATUS) == 'failed' then
      redis.call('DEL', key)
    end
    purged = purged + 1
  end
end
return purged
