-- What the end of a workflow member sets off: a chain's next step runs or stops (chains.lua),
-- a chord counts a part or fails its callback (chord-join.lua), here or, for a task of another
-- slot, by a handoff. Called by every script that ends a task (the outcomes, cancel, drain, the
-- lease sweep); deliver-1.lua applies the handoffs in their target's slot.
--@include chord-join

-- A task ended for good: what its workflow links (F_NEXT, F_CONTINUEONFAILURE, F_CHORD,
-- F_CHORDINDEX, read by the caller into `t` from position `at` on) make happen next. `payload`
-- is the result when it succeeded, else the error JSON (or nil). In the 'queue' layout the
-- linked tasks' slots are read here, so that every caller finds a cross-slot link.
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
