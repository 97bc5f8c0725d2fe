-- Registers queues in the prefix's registry ('queue' key layout, where enqueue scripts run on
-- the queue's own slot and cannot reach it): the client calls it before a queue's first enqueue.
-- KEYS[1]  the prefix slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2..] queue names
-- Returns  how many of them were new
--@include common
--@include tasks

local base = ARGV[1]
local seen, before = {}, redis.call('SCARD', prefixKey(base, FAMILY_QUEUES))
for i = 2, #ARGV do
  registerQueue(base, ARGV[i], seen)
end
return redis.call('SCARD', prefixKey(base, FAMILY_QUEUES)) - before
