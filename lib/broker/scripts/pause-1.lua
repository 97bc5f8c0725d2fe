-- Pauses or resumes a queue. While its flag exists, settle claims nothing from the queue;
-- running tasks finish and enqueues still land.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue   ARGV[3]  '1' pause, '0' resume
-- Returns  CODE.DONE changed, CODE.UNCHANGED it was paused (resumed) already, CODE.UNKNOWN_QUEUE
--@include common
--@include admin

local base, queue = ARGV[1], ARGV[2]
if not isKnownQueue(base, queue) then
  return CODE.UNKNOWN_QUEUE
end
local flag = queueKey(base, queue, QUEUE_PAUSED)
if ARGV[3] == '1' then
  return redis.call('SET', flag, '1', 'NX') and CODE.DONE or CODE.UNCHANGED
end
if redis.call('DEL', flag) == 0 then
  return CODE.UNCHANGED
end
-- Idle workers took the queue's wake-ups while it was paused without claiming, and stopped
-- timing its delayed tasks: wake one to claim, and tell all when the earliest falls due.
if redis.call('EXISTS', queueKey(base, queue, QUEUE_PRIORITIES)) == 1 then
  wake(base, queue)
end
local first = redis.call('ZRANGE', queueKey(base, queue, QUEUE_DELAYED), 0, 0, 'WITHSCORES')
if first[2] then
  announceDue(base, queue, math.max(0, tonumber(first[2]) - nowMs()))
end
return CODE.DONE
