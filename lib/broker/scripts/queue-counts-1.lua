-- Counts what queues hold right now, in one consistent snapshot. Read only.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2..] queue names (none: every queue of the prefix, on the prefix's
--          slot only; a queue shard's slot cannot read the registry and counts nothing then)
-- Returns  per queue { name, known (1/0, always 1 on a queue shard's slot: the client checks
--          there), waiting (held ones included), delayed, running, dead, paused (1/0), held
--          (waiting tasks a claim set aside, includes/limits.lua) }, of this slot's keys
--@include common
--@include admin

local base = ARGV[1]
local queues = {}
for i = 2, #ARGV do
  queues[#queues + 1] = ARGV[i]
end
if #queues == 0 and isPrefixSlot(base) then
  queues = redis.call('SMEMBERS', prefixKey(base, FAMILY_QUEUES))
end

local reply = {}
for _, queue in ipairs(queues) do
  local waiting = 0
  for _, list in ipairs(everyReadyList(base, queue)) do
    waiting = waiting + redis.call('LLEN', list.key)
  end
  local held = 0
  for _, list in ipairs(heldLists(base, queue)) do
    held = held + redis.call('LLEN', list.key)
  end
  reply[#reply + 1] = {
    queue,
    isKnownQueue(base, queue) and 1 or 0,
    waiting + held,
    redis.call('ZCARD', queueKey(base, queue, QUEUE_DELAYED)),
    redis.call('ZCARD', queueKey(base, queue, QUEUE_LEASES)),
    redis.call('ZCARD', queueKey(base, queue, QUEUE_DEAD)),
    redis.call('EXISTS', queueKey(base, queue, QUEUE_PAUSED)),
    held,
  }
end
return reply
