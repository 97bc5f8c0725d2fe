-- Cancels a task. A waiting or delayed task ends CANCELLED at once and leaves its ready list
-- or delayed set (so a later task reusing its id cannot inherit its place); a running one is
-- flagged and its worker told over pub/sub, so its outcome is recorded as CANCELLED.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  id   ARGV[4]  cancel channel
-- Returns  { code, handoffs... }: code CODE.CANCELLED, CODE.CANCEL_REQUESTED (from its worker),
--          CODE.ALREADY_FINISHED or CODE.NO_TASK; the workflow handoffs the cancellation wrote
--          to this slot's outbox (a chain stopped, a chord failed, in other slots; see
--          chains.lua)
--@allow-oom
--@include common
--@include gates
--@include limits
--@include chains
--@include workflows

local base, maxLen, id = ARGV[1], ARGV[2], ARGV[3]
local key = taskKey(base, id)
local t = redis.call('HMGET', key, F_STATUS, F_QUEUE, F_NAME, F_ATTEMPT, F_RESULTTTL, F_PRIORITY,
  F_AFTER, F_NEXT, F_CONTINUEONFAILURE, F_CHORD, F_CHORDINDEX, F_PARKED, F_HELD, F_GROUP)
local status, queue = t[1], t[2]
if not status then
  return { CODE.NO_TASK }
end
if status == 'running' then
  redis.call('HSET', key, F_CANCEL, '1')
  redis.call('PUBLISH', ARGV[4], id)
  return { CODE.CANCEL_REQUESTED }
end
if status ~= 'submitted' and status ~= 'retrying' then
  return { CODE.ALREADY_FINISHED }
end
if t[12] then
  -- Parked at a full gate: it waits in the gate's list, not in a queue.
  local waitKey = namedKey(base, FAMILY_GATEWAIT, t[12])
  redis.call('LREM', waitKey, 1, id)
  forgetEmptyWait(base, t[12], waitKey)
  redis.call('HDEL', key, F_PARKED)
elseif t[13] then
  -- Held aside by a claim (includes/limits.lua): it waits in its name's held list.
  flow.unhold(base, queue, id, t[3])
elseif t[7] then
  -- A parked chain step (or chord callback) is in no queue.
  redis.call('HDEL', key, F_AFTER)
elseif redis.call('ZREM', queueKey(base, queue, QUEUE_DELAYED), id) == 0 then
  -- O(n) in the waiting tasks of its priority; cancelling is rare next to claiming.
  redis.call('LREM', readyKey(base, t[14] and groupLane(queue, t[14]) or queue, t[6]), 1, id)
end
recordStatus(base, key, id, t[3], queue, 'cancelled', t[4] or 0, maxLen)
expireFinished(key, t[5] or DEFAULT_RESULT_TTL)
handoffsBegin()
workflowAfterEnd(base, id, t[3], t, 8, 'cancelled', nil, maxLen)
local reply = { CODE.CANCELLED }
for _, handoff in ipairs(takeHandoffs()) do
  reply[#reply + 1] = handoff
end
return reply
