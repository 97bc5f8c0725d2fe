-- Removes a schedule; tasks it already enqueued stay.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  schedule id
-- Returns  how many schedules it removed (HDEL's count: 0 when there was no such schedule)
--@include keys

local base, id = ARGV[1], ARGV[2]
redis.call('ZREM', slotKey(base, FAMILY_SCHEDULEDUE), id)
return redis.call('HDEL', slotKey(base, FAMILY_SCHEDULES), id)
