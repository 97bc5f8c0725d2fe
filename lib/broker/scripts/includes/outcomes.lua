-- The transitions that end a run (settle-1.lua). Each is fenced: only the task's current
-- attempt may end it (currentRun). Each returns a CODE: RECORDED, ENDED_CANCELLED (cancel was
-- requested while it ran: recorded as CANCELLED), FENCED (a newer attempt owns the task) or
-- NO_TASK.
--@include runs
--@include gates
--@include limits
--@include workflows

-- Records a run's end as CANCELLED, its workflow told: what a cancel requested while the task
-- ran leaves behind, whatever its handler did.
local function endCancelled(base, run, id, attempt, maxLen)
  recordStatus(base, run.key, id, run.name, run.queue, 'cancelled', attempt, maxLen,
    { past = run.past })
  expireFinished(run.key, run.resultTtl)
  workflowAfterEnd(base, id, run.name, run.links, 1, 'cancelled', nil, maxLen)
  return CODE.ENDED_CANCELLED
end

-- Ends the run `attempt` of `id` when that attempt still owns the task: drops its lease.
-- Returns the run, or nil and the code to reply with; a run whose cancellation was requested
-- ends here as CANCELLED (ENDED_CANCELLED), whatever outcome its worker reports.
local function endCurrentRun(base, id, attempt, maxLen)
  local run, code = currentRun(base, id, attempt)
  if not run then return nil, code end
  redis.call('ZREM', queueKey(base, run.queue, QUEUE_LEASES), id)
  if run.lock or run.limit then leaveGates(base, id, run.name, run.lock, run.limit) end
  flow.runEnded(base, run.queue)
  if run.group then flow.groupRunEnded(base, run.queue, id, run.group) end
  if run.cancel then return nil, endCancelled(base, run, id, attempt, maxLen) end
  return run
end

-- A run its worker stopped because the task's cancellation was requested. The request's flag
-- makes endCurrentRun end it CANCELLED; a run that lost the flag meanwhile ends so all the same.
local function cancelRun(base, id, attempt, maxLen)
  local run, code = endCurrentRun(base, id, attempt, maxLen)
  if not run then return code end
  return endCancelled(base, run, id, attempt, maxLen)
end

local function recordFailure(base, run, id, attempt, status, errorJson, summary, maxLen)
  redis.call('HINCRBY', run.key, F_FAILURES, 1)
  recordStatus(base, run.key, id, run.name, run.queue, status, attempt, maxLen, {
    event = { 'error', errorJson }, fields = { F_ERROR, errorJson }, summary = summary,
    past = run.past,
  })
end

local function complete(base, id, attempt, result, maxLen)
  local run, code = endCurrentRun(base, id, attempt, maxLen)
  if not run then return code end
  -- A small result rides along in the event: a waiting result() needs no further read.
  recordStatus(base, run.key, id, run.name, run.queue, 'succeeded', attempt, maxLen, {
    event = #result <= INLINE_RESULT_MAX and { 'result', result } or nil,
    fields = result ~= '' and { F_RESULT, result } or nil,
    past = run.past,
  })
  expireFinished(run.key, run.resultTtl)
  workflowAfterEnd(base, id, run.name, run.links, 1, 'succeeded', result, maxLen)
  return CODE.RECORDED
end

local function retry(base, id, attempt, errorJson, summary, delay, now, maxLen)
  local run, code = endCurrentRun(base, id, attempt, maxLen)
  if not run then return code end
  recordFailure(base, run, id, attempt, 'retrying', errorJson, summary, maxLen)
  if delay > 0 then
    addDelayed(base, run.queue, id, now + delay, now)
  else
    pushReady(base, run.queue, id, run.priority, false)
  end
  -- Idle workers claim it, or recompute when to wake up.
  wake(base, run.queue)
  return CODE.RECORDED
end

local function fail(base, id, attempt, errorJson, summary, deadTtl, now, maxLen)
  local run, code = endCurrentRun(base, id, attempt, maxLen)
  if not run then return code end
  local deadKey = queueKey(base, run.queue, QUEUE_DEAD)
  redis.call('ZADD', deadKey, now, id)
  redis.call('ZREMRANGEBYSCORE', deadKey, '-inf', now - deadTtl)
  recordFailure(base, run, id, attempt, 'failed', errorJson, summary, maxLen)
  -- The task stays readable as long as its dead-letter entry does.
  expireFinished(run.key, math.max(tonumber(run.resultTtl), deadTtl))
  workflowAfterEnd(base, id, run.name, run.links, 1, 'failed', errorJson, maxLen)
  return CODE.RECORDED
end

-- The status each outcome leaves behind, for repeatedOutcome.
local ENDED_AS = {
  complete = 'succeeded', retry = 'retrying', fail = 'failed', release = 'submitted',
}

-- A repeated outcome (its first call failed on the way, but Redis may have run it) that was
-- refused: when the task shows what that outcome writes, for that attempt, the first write
-- ran, so it counts as recorded (ENDED_CANCELLED: it ended so). A complete finding no record: its
-- first write ran with resultTtl 0. Anything else keeps the refusal's code.
local function repeatedOutcome(base, id, attempt, kind, code)
  if code == CODE.NO_TASK then
    return kind == 'complete' and CODE.RECORDED or code
  end
  local t = redis.call('HMGET', taskKey(base, id), F_STATUS, F_ATTEMPT)
  if t[2] ~= attempt then return code end
  if t[1] == ENDED_AS[kind] then return CODE.RECORDED end
  if t[1] == 'cancelled' then return CODE.ENDED_CANCELLED end
  return code
end

-- Hands a running task back (graceful shutdown): the head of its priority's list, so it keeps
-- its turn.
local function release(base, id, attempt, maxLen)
  local run, code = endCurrentRun(base, id, attempt, maxLen)
  if not run then return code end
  pushReady(base, run.queue, id, run.priority, true)
  recordStatus(base, run.key, id, run.name, run.queue, 'submitted', attempt, maxLen,
    { past = run.past })
  wake(base, run.queue)
  return CODE.RECORDED
end
