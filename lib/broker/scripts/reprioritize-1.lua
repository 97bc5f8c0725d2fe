-- Changes a waiting task's priority. A ready task moves to the tail of the new priority's list
-- (it queues behind the tasks already there); a delayed or backing-off one keeps its due time
-- and joins the new priority's list when due. The stored priority changes either way, so a
-- later retry, hand-back or reclaim uses the new one. No status event: the status is the same.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  id   ARGV[3]  new priority (integer, as a string)
-- Returns  CODE.DONE changed (or already at that priority), CODE.NOT_WAITING (running or
--          finished: nothing changed), CODE.NO_TASK
--@include common

local base, id, priority = ARGV[1], ARGV[2], ARGV[3]
local key = taskKey(base, id)
local t = redis.call('HMGET', key, F_STATUS, F_QUEUE, F_PRIORITY)
local status, queue, old = t[1], t[2], t[3]
if not status then
  return CODE.NO_TASK
end
-- A record without a queue or priority is the claim's to quarantine, not ours to move.
if (status ~= 'submitted' and status ~= 'retrying') or not queue or not old then
  return CODE.NOT_WAITING
end
-- Same priority: keeps its place rather than going to the back of its own list.
if old == priority then
  return CODE.DONE
end
if not redis.call('ZSCORE', queueKey(base, queue, QUEUE_DELAYED), id) then
  local list = readyKey(base, queue, old)
  -- O(n) in the waiting tasks of the old priority, as for cancel().
  if redis.call('LREM', list, 1, id) == 1 then
    if redis.call('EXISTS', list) == 0 then
      redis.call('ZREM', queueKey(base, queue, QUEUE_PRIORITIES), old)
    end
    pushReady(base, queue, id, priority, false)
  end
end
redis.call('HSET', key, F_PRIORITY, priority)
return CODE.DONE
