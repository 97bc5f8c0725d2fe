-- Removes an obliterated queue from the prefix's registry ('queue' layout), after every shard
-- of it was deleted: until then, a retried obliterate() still finds it known and goes on.
-- KEYS[1]  the prefix slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue
-- Returns  1 when it was registered, else 0
--@include common

return redis.call('SREM', prefixKey(ARGV[1], FAMILY_QUEUES), ARGV[2])
