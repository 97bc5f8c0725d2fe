-- Chains: each step but the last names the next one (F_NEXT); later steps are written when
-- the chain is enqueued but wait, parked in no queue, with their predecessor in F_AFTER.
-- A step's ending releases or stops the rest in the same script that records it, so a crash
-- can neither lose the continuation nor run it twice (workflows.lua says which, when a task
-- ends; a chord's callback, released by its join in chord-join.lua, is stopped as a chain).
--
-- Across slots ('queue' layout: a step, or a chord's callback, in another queue's slot, named
-- by F_NEXTSLOT / F_CHORDSLOT): no script may touch the other slot, so the script that records
-- the outcome writes a handoff instead, in this slot's outbox, atomically with the outcome, and
-- returns it (takeHandoffs). The client applies it on the target's slot (deliver-1.lua), which
-- acts only if the target still waits for exactly this (idempotent), then removes it from the
-- outbox; a sweep sends again what stayed there (a worker died between). Never lost, never
-- applied twice.
--@include common

-- The handoffs written by the current script call. Reset by each script that returns them
-- (handoffsBegin): in a function library this table outlives one call.
local HANDOFFS = {}

local function handoffsBegin()
  HANDOFFS = {}
end

local function takeHandoffs()
  local written = HANDOFFS
  HANDOFFS = {}
  return written
end

-- Whether a link's slot base names another slot than `base` (absent: the same slot).
local function elsewhere(base, slot)
  return slot ~= nil and slot ~= false and slot ~= '' and slot ~= base
end

-- Writes handoff `h` (k: kind, to: target id, from: the task that causes it, …) to `target`.
local function handOff(base, target, h)
  h.t = target
  local member = cjson.encode(h)
  redis.call('ZADD', slotKey(base, FAMILY_OUTBOX), nowMs(), member)
  HANDOFFS[#HANDOFFS + 1] = member
end

-- The step after `id` may run: hand it the result (or the error) and make it ready.
-- `after` (a handoff's): release it only if it still waits for exactly that.
local function releaseNextStep(base, nextId, field, value, after)
  local key = taskKey(base, nextId)
  local t = redis.call('HMGET', key, F_STATUS, F_AFTER, F_QUEUE, F_PRIORITY)
  -- Cancelled (or gone, or released already) meanwhile: nothing to release.
  if t[1] ~= 'submitted' or not t[2] or (after and t[2] ~= after) then return end
  redis.call('HDEL', key, F_AFTER)
  if value ~= '' then redis.call('HSET', key, field, value) end
  pushReady(base, t[3], nextId, t[4], false)
  wake(base, t[3])
end

-- The chain stops before `nextId`: it and every step after it end as `status` (FAILED or
-- CANCELLED) with `errorJson`, without running; they are not dead letters (they never ran).
-- A step in another slot gets the stop as a handoff. `after`: as for releaseNextStep.
local function stopChain(base, nextId, status, errorJson, maxLen, after)
  local id = nextId
  while id do
    local key = taskKey(base, id)
    local t = redis.call('HMGET', key, F_STATUS, F_AFTER, F_NAME, F_QUEUE, F_RESULTTTL, F_NEXT,
      F_NEXTSLOT)
    if t[1] ~= 'submitted' or not t[2] or (after and t[2] ~= after) then return end
    after = nil
    redis.call('HDEL', key, F_AFTER)
    recordStatus(base, key, id, t[3], t[4], status, 0, maxLen, {
      event = { 'error', errorJson }, fields = { F_ERROR, errorJson },
    })
    expireFinished(key, t[5] or DEFAULT_RESULT_TTL)
    if t[6] and elsewhere(base, t[7]) then
      handOff(base, t[7], { k = 'stop', to = t[6], from = id, s = status, e = errorJson })
      return
    end
    id = t[6]
  end
end

-- The error (JSON) of a task a workflow ends without running it: `errorName` (an ERROR_NAME),
-- and a message saying what ended and how (`what`), quoting that task's own error message
-- (from the error JSON `cause`, if any), then what did not run (`skipped`).
local function didNotRunError(errorName, what, cause, skipped)
  local decoded = cause and cjson.decode(cause) or {}
  local quoted = decoded.message and (': ' .. tostring(decoded.message)) or ''
  return cjson.encode({ name = errorName, message = what .. quoted .. '; ' .. skipped })
end

-- The next step (in `slot`, nil: this one) may run, with `value` in `field`.
local function releaseNext(base, id, slot, nextId, field, value)
  if elsewhere(base, slot) then
    handOff(base, slot, { k = 'next', to = nextId, from = id, f = field, v = value })
  else
    releaseNextStep(base, nextId, field, value)
  end
end

-- A step ended for good (FAILED or CANCELLED) and did not succeed: go on, or stop the rest.
local function chainAfterFailure(base, id, name, nextId, slot, continues, status, errorJson,
                                 maxLen)
  if not nextId then return end
  if continues and status == 'failed' then
    releaseNext(base, id, slot, nextId, F_PREVIOUSERROR, errorJson or '')
    return
  end
  -- Why the rest stops: the step that ended, and how.
  local stopError = didNotRunError(ERROR_NAME.CHAIN_STOPPED,
    'an earlier step of the chain (' .. name .. ', task ' .. id .. ') ' .. status, errorJson,
    'this step did not run')
  if elsewhere(base, slot) then
    handOff(base, slot, { k = 'stop', to = nextId, from = id, s = status, e = stopError })
  else
    stopChain(base, nextId, status, stopError, maxLen)
  end
end
