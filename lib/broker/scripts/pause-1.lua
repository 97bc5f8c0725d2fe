-- Pauses or resumes a queue. While its flag exists, settle claims nothing from the queue;
-- running tasks finish and enqueues still land.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue   ARGV[3]  '1' pause, '0' resume
-- Returns  -1 unknown queue, 1 changed, 0 it was paused (resumed) already
--@include common
--@include admin

local base, queue = ARGV[1], ARGV[2]
if not isKnownQueue(base, queue) then
  return -1
end
local flag = queueKey(base, queue, QUEUE_PAUSED)
if ARGV[3] == '1' then
  return redis.call('SET', flag, '1', 'NX') and 1 or 0
end
if redis.call('DEL', flag) == 0 then
  return 0
end
-- Idle workers took the queue's wake-ups while it was paused without claiming, and stopped
-- timing its delayed tasks: wake one to claim, and tell all when the earliest falls due.
if redis.call('EXISTS', queueKey(base, queue, QUEUE_PRIORITIES)) == 1 then
  wake(base, queue)
end
local first = redis.call('ZRANGE', queueKey(base, queue, QUEUE_DELAYED), 0, 0, 'WITHSCORES')
if first[2] then
  local dueIn = math.max(0, tonumber(first[2]) - nowMs())
  redis.call('PUBLISH', prefixKey(base, FAMILY_SCHEDULE), queue .. ':' .. dueIn)
end
return 1
