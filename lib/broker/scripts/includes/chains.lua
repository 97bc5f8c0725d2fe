-- Chains: each step but the last names the next one (F_NEXT); later steps are written when
-- the chain is enqueued but wait, parked in no queue, with their predecessor in F_AFTER.
-- A step's ending releases or stops the rest in the same script that records it, so a crash
-- can neither lose the continuation nor run it twice.

-- The step after `id` may run: hand it the result (or the error) and make it ready.
local function releaseNextStep(base, nextId, field, value)
  local key = taskKey(base, nextId)
  local t = redis.call('HMGET', key, F_STATUS, F_AFTER, F_QUEUE, F_PRIORITY)
  -- Cancelled (or gone) meanwhile: nothing to release.
  if t[1] ~= 'submitted' or not t[2] then return end
  redis.call('HDEL', key, F_AFTER)
  if value ~= '' then redis.call('HSET', key, field, value) end
  pushReady(base, t[3], nextId, t[4], false)
  wake(base, t[3])
end

-- The chain stops before `nextId`: it and every step after it end as `status` (FAILED or
-- CANCELLED) with `errorJson`, without running; they are not dead letters (they never ran).
local function stopChain(base, nextId, status, errorJson, maxLen)
  local id = nextId
  while id do
    local key = taskKey(base, id)
    local t = redis.call('HMGET', key, F_STATUS, F_AFTER, F_NAME, F_QUEUE, F_RESULTTTL, F_NEXT)
    if t[1] ~= 'submitted' or not t[2] then return end
    redis.call('HDEL', key, F_AFTER)
    recordStatus(base, key, id, t[3], t[4], status, 0, maxLen, {
      event = { 'error', errorJson }, fields = { F_ERROR, errorJson },
    })
    expireFinished(key, t[5] or DEFAULT_RESULT_TTL)
    id = t[6]
  end
end

-- ': <message>' of an error JSON, to quote the cause of a stop; '' when there is none.
local function causeOf(errorJson)
  local cause = errorJson and cjson.decode(errorJson) or {}
  return cause.message and (': ' .. tostring(cause.message)) or ''
end

-- Why the rest of a chain stops: the step that ended and how.
local function chainStopError(id, name, how, errorJson)
  return cjson.encode({
    name = 'ChainStoppedError',
    message = 'an earlier step of the chain (' .. name .. ', task ' .. id .. ') ' .. how
      .. causeOf(errorJson)
      .. '; this step did not run',
  })
end

-- A step ended for good (FAILED or CANCELLED) and did not succeed: go on, or stop the rest.
local function chainAfterFailure(base, id, name, nextId, continues, status, errorJson, maxLen)
  if not nextId then return end
  if continues and status == 'failed' then
    releaseNextStep(base, nextId, F_PREVIOUSERROR, errorJson or '')
  else
    stopChain(base, nextId, status, chainStopError(id, name, status, errorJson), maxLen)
  end
end

-- Chords: the callback waits, parked, until every part ended. Each part's result is kept on
-- the callback (field 'j<index>'); the part whose outcome brings the count of pending parts
-- to 0 releases the callback with the JSON array of all results, in the parts' order. A part
-- ends once (fencing), so the count reaches 0 once and the callback is released once.
local function chordPartSucceeded(base, callbackId, index, result)
  local key = taskKey(base, callbackId)
  local t = redis.call('HMGET', key, F_STATUS, F_AFTER, F_PARTS)
  if t[1] ~= 'submitted' or not t[2] then return end
  redis.call('HSET', key, 'j' .. index, result)
  if redis.call('HINCRBY', key, F_PENDING, -1) > 0 then return end
  local results, fields = {}, {}
  for i = 0, tonumber(t[3]) - 1 do
    results[i + 1] = redis.call('HGET', key, 'j' .. i) or ''
    fields[i + 1] = 'j' .. i
  end
  redis.call('HDEL', key, unpack(fields))
  redis.call('HSET', key, F_JOINED, '1')
  releaseNextStep(base, callbackId, F_PREVIOUS, cjson.encode(results))
end

-- A part failed for good or was cancelled: the chord fails at once (its callback never runs).
local function chordPartFailed(base, callbackId, id, name, status, errorJson, maxLen)
  stopChain(base, callbackId, 'failed', cjson.encode({
    name = 'ChordPartFailedError',
    message = 'part ' .. id .. ' (' .. name .. ') of the chord ' .. status
      .. causeOf(errorJson)
      .. '; the callback did not run',
  }), maxLen)
end

-- A task ended for good: what its workflow links (read with WORKFLOW_FIELDS, from position
-- `at` of `t`) make happen next. `payload` is the result when it succeeded, else the error JSON
-- (or nil).
local function workflowAfterEnd(base, id, name, t, at, status, payload, maxLen)
  local nextId, continues, callbackId, index = t[at], t[at + 1], t[at + 2], t[at + 3]
  if status == 'succeeded' then
    if nextId then releaseNextStep(base, nextId, F_PREVIOUS, payload) end
    if callbackId then chordPartSucceeded(base, callbackId, index, payload) end
    return
  end
  chainAfterFailure(base, id, name, nextId, continues, status, payload, maxLen)
  if callbackId then chordPartFailed(base, callbackId, id, name, status, payload, maxLen) end
end
