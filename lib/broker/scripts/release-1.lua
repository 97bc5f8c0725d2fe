-- Hands a running task back to its queue (graceful shutdown): drops the lease and puts it back
-- at its original place in the ready set, so it keeps its FIFO position. Fenced like complete.
-- KEYS[1]  the prefix's queues set (routes the call on Cluster)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  id   ARGV[4]  attempt
-- Returns  1 released, 2 recorded as CANCELLED, -1 fenced, -2 no task
--@include common

local base, maxLen, id, attempt = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = nowMs()
local key, code = currentRun(base, id, attempt)
if not key then
  return code
end
if finishIfCancelled(base, key, id, attempt, now, maxLen) then
  return 2
end
local queue = endRun(base, key, id)
local t = redis.call('HMGET', key, 'priority', 'seq')
makeReady(base, queue, key, id, t[1], t[2])
recordStatus(base, key, id, 'submitted', attempt, now, maxLen)
wake(base, queue)
return 1
