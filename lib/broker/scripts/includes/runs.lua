-- The fence of a running task: only its current attempt (the attempt number a worker claimed
-- it with) may write its outcome (outcomes.lua), its progress, or renew its lease.
--@include keys

-- Reads what ending (or renewing) the run `attempt` of `id` needs, or returns nil and the
-- refusal, CODE.NO_TASK or CODE.FENCED, when `attempt` is not the task's running one.
local function currentRun(base, id, attempt)
  local key = taskKey(base, id)
  local t = redis.call('HMGET', key, F_STATUS, F_ATTEMPT, F_NAME, F_QUEUE, F_RESULTTTL,
    F_CANCEL, F_PRIORITY, F_HISTORY, F_CREATEDAT, F_NEXT, F_CONTINUEONFAILURE, F_CHORD,
    F_CHORDINDEX, F_LOCK, F_LIMIT, F_GROUP)
  -- No record, or one without what taskmill always writes: nothing this run can end.
  if not t[1] or not t[3] or not t[4] or not t[7] then
    return nil, CODE.NO_TASK
  end
  if t[1] ~= 'running' or t[2] ~= attempt then
    return nil, CODE.FENCED
  end
  return { key = key, name = t[3], queue = t[4], resultTtl = t[5] or DEFAULT_RESULT_TTL,
    cancel = t[6], priority = t[7], past = { t[8], t[9] },
    links = { t[10], t[11], t[12], t[13] }, lock = t[14], limit = t[15], group = t[16] }
end
