-- The join of a chord (Celery's chord, counted in Redis): the callback waits, parked (F_AFTER
-- 'chord'), until every part ended. Each part's result is kept on the callback (field
-- F_PARTRESULT<index>, see partResultField); the part whose outcome brings the count of pending
-- parts (F_PENDING) to 0 releases the callback with the JSON array of all results, in the
-- parts' order. A part ends once (fencing), and its result is counted only by the write that
-- stored it (HSETNX: a handoff applied twice counts once), so the count reaches 0 once and the
-- callback is released once. A part that fails instead fails the callback (chordFailure, as a
-- stop of the chain it heads: workflows.lua).
--@include chains

-- Part `index` of the chord whose callback is `callbackId` succeeded with `result`.
local function chordPartSucceeded(base, callbackId, index, result)
  local key = taskKey(base, callbackId)
  local t = redis.call('HMGET', key, F_STATUS, F_AFTER, F_PARTS)
  if t[1] ~= 'submitted' or not t[2] then return end
  if redis.call('HSETNX', key, partResultField(index), result) == 0 then return end
  if redis.call('HINCRBY', key, F_PENDING, -1) > 0 then return end
  local results, fields = {}, {}
  for i = 0, tonumber(t[3]) - 1 do
    fields[i + 1] = partResultField(i)
    results[i + 1] = redis.call('HGET', key, fields[i + 1]) or ''
  end
  redis.call('HDEL', key, unpack(fields))
  redis.call('HSET', key, F_JOINED, '1')
  releaseNextStep(base, callbackId, F_PREVIOUS, cjson.encode(results))
end

-- Why a chord's callback does not run: part `id` ended as `status`.
local function chordFailure(id, name, status, errorJson)
  return didNotRunError(ERROR_NAME.CHORD_PART_FAILED,
    'part ' .. id .. ' (' .. name .. ') of the chord ' .. status, errorJson,
    'the callback did not run')
end
