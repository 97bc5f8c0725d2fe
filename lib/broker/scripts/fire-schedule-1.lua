-- Fires one tick of a schedule, exactly once however many workers try (pynenc's trigger run
-- claim): only a caller that names the tick the schedule is due at moves it on. In the 'prefix'
-- layout the task of that tick (id `<schedule id>@<tick>`) is written in the same step. In the
-- 'queue' layout the task belongs to its queue's slot, which this script (on the prefix's slot)
-- must not touch: the broker writes it there first, then calls this with ARGV[6] '0' to move
-- the schedule on (see Broker.fireSchedule).
-- KEYS[1]  the prefix slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  schedule id   ARGV[4]  tick (ms)
-- ARGV[5]  next tick (ms)   ARGV[6]  '1': write this tick's task here too, '0': only move the
--          schedule on (a missed tick skipped, or the 'queue' layout's second step)
-- Returns  CODE.FIRED, CODE.MOVED_ON without a task, CODE.NOT_DUE someone else had it (or the
--          schedule is gone or changed)
--@include common
--@include tasks

local base, maxLen, id, tick, nextTick = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local dueKey = slotKey(base, FAMILY_SCHEDULEDUE)
local due = redis.call('ZSCORE', dueKey, id)
if not due or tonumber(due) ~= tonumber(tick) then
  return CODE.NOT_DUE
end
redis.call('ZADD', dueKey, nextTick, id)
if ARGV[6] ~= '1' then
  return CODE.MOVED_ON
end
local definition = cjson.decode(redis.call('HGET', slotKey(base, FAMILY_SCHEDULES), id))
local task = definition.task
local taskId = id .. '@' .. tick
if redis.call('EXISTS', taskKey(base, taskId)) == 1 then
  return CODE.NOT_DUE
end
registerQueue(base, task.queue, {})
local now = nowMs()
writeTask(base, maxLen, now, taskId, task, now)
wake(base, task.queue)
return CODE.FIRED
