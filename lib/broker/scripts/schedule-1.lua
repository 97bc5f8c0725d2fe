-- Registers or replaces a schedule. The same definition registered again (by another app
-- instance, or this one after a restart) changes nothing: its next tick stays as it was.
-- KEYS[1]  the prefix's queues set (routes the call on Cluster)
-- ARGV[1]  key base   ARGV[2]  schedule id   ARGV[3]  definition (JSON)   ARGV[4]  first tick ms
-- Returns  1 added or changed, 0 unchanged
local base, id, definition, firstTick = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local definitions = base .. ':' .. FAMILY_SCHEDULES
if redis.call('HGET', definitions, id) == definition then
  return 0
end
redis.call('HSET', definitions, id, definition)
redis.call('ZADD', base .. ':' .. FAMILY_SCHEDULEDUE, firstTick, id)
redis.call('PUBLISH', base .. ':' .. FAMILY_TRIGGERS, id)
return 1
