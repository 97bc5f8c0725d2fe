-- Stores a queue's shard count in the prefix's registry of counts (FAMILY_QUEUESHARDS), unless
-- another app stored another one since this one read it: compare and set, so that two apps
-- starting with different counts cannot both believe theirs was taken.
-- KEYS[1]  the prefix slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue name   ARGV[3]  the count read before ('1' when none was
--          stored: the default)   ARGV[4]  the new count
-- Returns  the count stored now: ARGV[4] when written (or already there), else the other one
--@include keys

local base, queue, before, shards = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local key = prefixKey(base, FAMILY_QUEUESHARDS)
local stored = redis.call('HGET', key, queue) or '1'
if stored ~= before and stored ~= shards then return stored end
redis.call('HSET', key, queue, shards)
return shards
