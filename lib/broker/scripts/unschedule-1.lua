-- Removes a schedule; tasks it already enqueued stay.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  schedule id
-- Returns  1 removed, 0 no such schedule
local base, id = ARGV[1], ARGV[2]
redis.call('ZREM', base .. ':' .. FAMILY_SCHEDULEDUE, id)
return redis.call('HDEL', base .. ':' .. FAMILY_SCHEDULES, id)
