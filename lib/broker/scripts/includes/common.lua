-- Helpers shared by every script. The key layout constants (FAMILY_*, QUEUE_*) are injected
-- above this file by the script loader from lib/broker/keys.ts, the one owner of key names.

-- Server time, so that every worker and producer shares one clock. Safe for replicas and AOF:
-- Redis >= 5 replicates a script's effects, not the script.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function taskKey(base, id)
  return base .. ':' .. FAMILY_TASK .. ':' .. id
end

local function historyKey(base, id)
  return base .. ':' .. FAMILY_HISTORY .. ':' .. id
end

local function queueKey(base, queue, kind)
  return base .. ':' .. FAMILY_QUEUE .. ':' .. queue .. ':' .. kind
end

-- Ready-set members sort by this fixed-width sequence within one priority score: FIFO.
-- %.0f, not %x: Lua 5.1 formats %x through a 32-bit int.
local function readyMember(seq, id)
  return string.format('%015.0f', seq) .. id
end

local function idOfReadyMember(member)
  return string.sub(member, 16)
end

-- One marker is enough: the worker that takes it claims, and pushes another if work remains.
local function wake(base, queue)
  local key = queueKey(base, queue, QUEUE_WAKE)
  if redis.call('LLEN', key) == 0 then
    redis.call('LPUSH', key, '1')
  end
end

local function makeReady(base, queue, key, id, priority, seq)
  if not seq then
    seq = redis.call('INCR', queueKey(base, queue, QUEUE_SEQ))
    redis.call('HSET', key, 'seq', seq)
  end
  redis.call('ZADD', queueKey(base, queue, QUEUE_READY), priority, readyMember(tonumber(seq), id))
end

-- Records a status change: task hash, history list and the queue's events stream, in one go.
-- `extraName`/`extraValue` carry an error or progress payload (JSON text) when there is one.
local function recordStatus(base, key, id, status, attempt, now, maxLen, extraName, extraValue)
  local meta = redis.call('HMGET', key, 'queue', 'name')
  local fields = { 'id', id, 'task', meta[2], 'status', status, 'attempt', attempt, 'at', now }
  if extraName then
    fields[#fields + 1] = extraName
    fields[#fields + 1] = extraValue
  end
  local sid = redis.call('XADD', queueKey(base, meta[1], QUEUE_EVENTS), 'MAXLEN', '~', maxLen,
    '*', unpack(fields))
  redis.call('HSET', key, 'status', status, 'updatedAt', now, 'sid', sid)
  if extraName ~= 'progress' then
    redis.call('RPUSH', historyKey(base, id),
      cjson.encode({ status = status, attempt = tonumber(attempt), at = now, error = extraValue }))
  end
  return sid
end

-- A finished task (and its history) lives on for `ttl` ms, then expires (at once when 0).
local function expireFinished(base, key, id, ttl)
  redis.call('PEXPIRE', key, ttl)
  redis.call('PEXPIRE', historyKey(base, id), ttl)
end

-- The task key when `attempt` is still the current run of a running task; otherwise nil and
-- -2 (no such task) or -1 (the lease was lost to a newer attempt: fenced).
local function currentRun(base, id, attempt)
  local key = taskKey(base, id)
  local state = redis.call('HMGET', key, 'status', 'attempt')
  if not state[1] then
    return nil, -2
  end
  if state[1] ~= 'running' or state[2] ~= attempt then
    return nil, -1
  end
  return key
end

-- Ends a run: drops the lease. Returns the queue name.
local function endRun(base, key, id)
  local queue = redis.call('HGET', key, 'queue')
  redis.call('ZREM', queueKey(base, queue, QUEUE_LEASES), id)
  return queue
end

-- A run whose cancellation was requested ends CANCELLED, whatever the handler did.
local function finishIfCancelled(base, key, id, attempt, now, maxLen)
  if redis.call('HGET', key, 'cancel') ~= '1' then
    return false
  end
  endRun(base, key, id)
  recordStatus(base, key, id, 'cancelled', attempt, now, maxLen)
  expireFinished(base, key, id, redis.call('HGET', key, 'resultTtl'))
  return true
end
