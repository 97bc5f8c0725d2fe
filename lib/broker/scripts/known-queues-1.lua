-- Reads the prefix's queue registry, so that a queue operation of the 'queue' layout learns
-- whether a queue is known before it runs its scripts on the queue's shards (which cannot read
-- the registry: it is in another slot). Read only.
-- KEYS[1]  the prefix slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2..] queue names
-- Returns  per name given, 1 when it is registered, else 0; with no name, every registered
--          queue's name
--@include common

local base = ARGV[1]
local registry = prefixKey(base, FAMILY_QUEUES)
if #ARGV == 1 then
  return redis.call('SMEMBERS', registry)
end
return redis.call('SMISMEMBER', registry, unpack(ARGV, 2))
