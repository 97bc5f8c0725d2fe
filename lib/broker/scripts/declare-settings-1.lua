-- Writes an app's flow settings of a queue in one slot (lib/broker/flow-settings.ts): the
-- fields the claim applies (includes/limits.lua) and what the app declared, all at once, so a
-- claim never sees half of them. Last writer wins; the caller warns about what it replaced.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue   ARGV[3..] field/value pairs of the queue's settings
--          hash ('' deletes the field)
-- Returns  the previous value of each field, in order ('' when it had none)
--@include common

local key = queueKey(ARGV[1], ARGV[2], QUEUE_SETTINGS)
local previous = {}
for i = 3, #ARGV, 2 do
  previous[#previous + 1] = redis.call('HGET', key, ARGV[i]) or ''
  if ARGV[i + 1] == '' then
    redis.call('HDEL', key, ARGV[i])
  else
    redis.call('HSET', key, ARGV[i], ARGV[i + 1])
  end
end
-- Whether any task name of the queue has a rate limit: claims of a queue without one skip the
-- lookup of each name's rule (flow.nameRule).
local named = false
for _, field in ipairs(redis.call('HKEYS', key)) do
  if field:sub(1, 5) == 'rate:' then
    named = true
    break
  end
end
if named then
  redis.call('HSET', key, 'rate-names', '1')
else
  redis.call('HDEL', key, 'rate-names')
end
return previous
