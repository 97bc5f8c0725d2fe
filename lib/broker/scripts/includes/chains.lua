-- Chains: each step but the last names the next one (F_NEXT); later steps are written when
-- the chain is enqueued but wait, parked in no queue, with their predecessor in F_AFTER.
-- A step's ending releases or stops the rest in the same script that records it, so a crash
-- can neither lose the continuation nor run it twice.
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

-- ': <message>' of an error JSON, to quote the cause of a stop; '' when there is none.
local function causeOf(errorJson)
  local cause = errorJson and cjson.decode(errorJson) or {}
  return cause.message and (': ' .. tostring(cause.message)) or ''
end

-- Why the rest of a chain stops: the step that ended and how.
local function chainStopError(id, name, how, errorJson)
  return cjson.encode({
    name = ERROR_NAME.CHAIN_STOPPED,
    message = 'an earlier step of the chain (' .. name .. ', task ' .. id .. ') ' .. how
      .. causeOf(errorJson)
      .. '; this step did not run',
  })
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
  local stopError = chainStopError(id, name, status, errorJson)
  if elsewhere(base, slot) then
    handOff(base, slot, { k = 'stop', to = nextId, from = id, s = status, e = stopError })
  else
    stopChain(base, nextId, status, stopError, maxLen)
  end
end

-- Chords: the callback waits, parked, until every part ended. Each part's result is kept on
-- the callback (field 'j<index>'); the part whose outcome brings the count of pending parts
-- to 0 releases the callback with the JSON array of all results, in the parts' order. A part
-- ends once (fencing), and its result is counted only by the write that stored it (HSETNX: a
-- handoff applied twice counts once), so the count reaches 0 once and the callback is
-- released once.
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
  return cjson.encode({
    name = ERROR_NAME.CHORD_PART_FAILED,
    message = 'part ' .. id .. ' (' .. name .. ') of the chord ' .. status
      .. causeOf(errorJson)
      .. '; the callback did not run',
  })
end

-- A task ended for good: what its workflow links (read with WORKFLOW_FIELDS, from position
-- `at` of `t`: next, continueOnFailure, chord, chordIndex) make happen next. `payload` is the
-- result when it succeeded, else the error JSON (or nil). In the 'queue' layout the linked
-- tasks' slots are read here, so that every caller finds a cross-slot link.
local function workflowAfterEnd(base, id, name, t, at, status, payload, maxLen)
  local nextId, continues, callbackId, index = t[at], t[at + 1], t[at + 2], t[at + 3]
  if not nextId and not callbackId then return end
  local slots = {}
  if not isPrefixSlot(base) then
    slots = redis.call('HMGET', taskKey(base, id), F_NEXTSLOT, F_CHORDSLOT)
  end
  local chordSlot = slots[2]
  if status == 'succeeded' then
    if nextId then releaseNext(base, id, slots[1], nextId, F_PREVIOUS, payload) end
    if callbackId and elsewhere(base, chordSlot) then
      handOff(base, chordSlot, { k = 'part', to = callbackId, from = id, i = index, v = payload })
    elseif callbackId then
      chordPartSucceeded(base, callbackId, index, payload)
    end
    return
  end
  chainAfterFailure(base, id, name, nextId, slots[1], continues, status, payload, maxLen)
  if not callbackId then return end
  local failure = chordFailure(id, name, status, payload)
  if elsewhere(base, chordSlot) then
    handOff(base, chordSlot, { k = 'stop', to = callbackId, from = 'chord', s = 'failed',
      e = failure })
  else
    stopChain(base, callbackId, 'failed', failure, maxLen)
  end
end

-- Applies one handoff (deliver-1.lua) to its target, a task of this slot: only if the target
-- still waits for exactly what the handoff says, so that applying it again changes nothing.
local function applyHandoff(base, h, maxLen)
  if h.k == 'next' then
    releaseNextStep(base, h.to, h.f, h.v or '', h.from)
  elseif h.k == 'part' then
    chordPartSucceeded(base, h.to, h.i, h.v or '')
  elseif h.k == 'stop' then
    stopChain(base, h.to, h.s, h.e, maxLen, h.from)
  end
end
