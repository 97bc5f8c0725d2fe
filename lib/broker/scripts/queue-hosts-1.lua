-- Whether live workers consume a queue, and whether one of them has the handler of a task name
-- (the marks of mark-consumers-1.lua), for a producer's warnings (lib/catalog/unconsumed-queues.ts).
-- Read only.
-- KEYS[1]  the prefix slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base (the prefix's slot)   ARGV[2]  queue   ARGV[3]  task name
-- Returns  CODE.NO_CONSUMER: no live worker consumes the queue; CODE.HOSTED: a live worker of
--          the queue hosts the name or any name ('*'), or none said which names it hosts (a
--          taskmill version before the hosts hash); CODE.NOT_HOSTED: live workers consume the
--          queue, none of them hosts the name
--@include common

local base, queue, name = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', namedKey(base, FAMILY_CONSUMED, queue)) == 0 then
  return CODE.NO_CONSUMER
end
local hosts = namedKey(base, FAMILY_HOSTS, queue)
local now = nowMs()
for _, hostedUntil in ipairs(redis.call('HMGET', hosts, name, '*')) do
  if hostedUntil and tonumber(hostedUntil) > now then
    return CODE.HOSTED
  end
end
if redis.call('EXISTS', hosts) == 0 then
  return CODE.HOSTED
end
return CODE.NOT_HOSTED
