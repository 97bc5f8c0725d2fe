-- Cancels one batch of a queue's waiting and delayed tasks (retrying ones included), in claim
-- order then due order: each ends CANCELLED, so its observers finish, and expires like a
-- finished task. Running tasks are left alone. The caller repeats it until a batch comes back
-- short, so that a long queue never holds Redis for long.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  queue   ARGV[4]  batch size
-- Returns  CODE.UNKNOWN_QUEUE, else { tasks cancelled, entries taken (stale ones included) }
--@include common
--@include workflows
--@include admin

local base, maxLen, queue, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if not isKnownQueue(base, queue) then
  return CODE.UNKNOWN_QUEUE
end
local ids = popReady(base, queue, limit)
popSorted(queueKey(base, queue, QUEUE_DELAYED), limit - #ids, ids)

local cancelled = 0
for _, id in ipairs(ids) do
  local key = taskKey(base, id)
  local t = redis.call('HMGET', key, F_STATUS, F_QUEUE, F_NAME, F_ATTEMPT, F_RESULTTTL, F_NEXT,
    F_CONTINUEONFAILURE, F_CHORD, F_CHORDINDEX)
  -- Only a task that still waits in this queue: an entry whose task expired or changed is
  -- just dropped, as a claim would drop it.
  if (t[1] == 'submitted' or t[1] == 'retrying') and t[2] == queue and t[3] then
    recordStatus(base, key, id, t[3], queue, 'cancelled', t[4] or 0, maxLen)
    expireFinished(key, t[5] or DEFAULT_RESULT_TTL)
    -- A drained chain step takes the rest of its chain with it (they would wait forever).
    workflowAfterEnd(base, id, t[3], t, 6, 'cancelled', nil, maxLen)
    cancelled = cancelled + 1
  end
end
return { cancelled, #ids }
