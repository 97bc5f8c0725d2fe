-- Registers, replaces or restores a schedule. The same definition registered again (by
-- another app instance, or this one after a restart) changes nothing while both of its
-- records are there: its next tick stays as it was. When one of them is gone (Redis lost its
-- data: a restart without persistence, FLUSHALL, a failover), the schedule is written again
-- from `first tick` on; of several workers restoring it at once, one writes it.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  schedule id   ARGV[3]  definition (JSON)   ARGV[4]  first tick ms
-- Returns  CODE.DONE added, changed or restored, CODE.UNCHANGED
--@include keys

local base, id, definition, firstTick = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local definitions = slotKey(base, FAMILY_SCHEDULES)
local dueKey = slotKey(base, FAMILY_SCHEDULEDUE)
if redis.call('HGET', definitions, id) == definition and redis.call('ZSCORE', dueKey, id) then
  return CODE.UNCHANGED
end
redis.call('HSET', definitions, id, definition)
redis.call('ZADD', dueKey, firstTick, id)
redis.call('PUBLISH', slotKey(base, FAMILY_TRIGGERS), id)
return CODE.DONE
