-- Helpers shared by every script. The layout constants (FAMILY_*, QUEUE_*, F_*) are injected
-- above this file by the script loader from lib/broker/keys.ts, the one owner of names.

-- Server time, so that every worker and producer shares one clock. Safe for replicas and AOF:
-- Redis >= 5 replicates a script's effects, not the script.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function taskKey(base, id)
  return base .. ':' .. FAMILY_TASK .. ':' .. id
end

local function queueKey(base, queue, kind)
  return base .. ':' .. FAMILY_QUEUE .. ':' .. queue .. ':' .. kind
end

local function readyKey(base, queue, priority)
  return queueKey(base, queue, QUEUE_READY) .. ':' .. priority
end

-- One marker is enough: the worker that takes it claims, and pushes another if work remains.
local function wake(base, queue)
  local key = queueKey(base, queue, QUEUE_WAKE)
  if redis.call('LLEN', key) == 0 then
    redis.call('LPUSH', key, '1')
  end
end

-- Makes a task ready: the tail of its priority's list (FIFO), or the head when it is handed
-- back and must keep its turn.
local function pushReady(base, queue, id, priority, atHead)
  redis.call(atHead and 'LPUSH' or 'RPUSH', readyKey(base, queue, priority), id)
  redis.call('ZADD', queueKey(base, queue, QUEUE_PRIORITIES), priority, priority)
end

-- Records a status change in the queue's events stream and the task hash; the stream id is
-- the change's timestamp. Every change but progress is appended to the task's history.
-- `extraName`/`extraValue` carry an error or progress payload (JSON text) when there is one;
-- `hashFields` (optional) are more field/value pairs written in the same HSET.
local function recordStatus(base, key, id, name, queue, status, attempt, maxLen, extraName,
                            extraValue, hashFields)
  local fields = { 'id', id, 'task', name, 'status', status, 'attempt', attempt }
  if extraName then
    fields[#fields + 1] = extraName
    fields[#fields + 1] = extraValue
  end
  local eventId = redis.call('XADD', queueKey(base, queue, QUEUE_EVENTS), 'MAXLEN', '~', maxLen,
    '*', unpack(fields))
  local update = hashFields or {}
  update[#update + 1] = F_EVENTID
  update[#update + 1] = eventId
  if extraName ~= 'progress' then
    -- History entries are [status, attempt, ms since creation], kept short so that the hash
    -- stays in Redis's compact listpack encoding; failing runs add their error's name and
    -- message (not the stack).
    local t = redis.call('HMGET', key, F_HISTORY, F_CREATEDAT)
    local since = (tonumber(eventId:match('^(%d+)')) or 0) - (tonumber(t[2]) or 0)
    local entry
    if extraName == 'error' then
      local failure = cjson.decode(extraValue)
      entry = cjson.encode({ status, tonumber(attempt), since, failure.name, failure.message })
    else
      entry = '["' .. status .. '",' .. attempt .. ',' .. since .. ']'
    end
    update[#update + 1] = F_STATUS
    update[#update + 1] = status
    update[#update + 1] = F_HISTORY
    update[#update + 1] = t[1] and (t[1] .. ',' .. entry) or entry
  end
  redis.call('HSET', key, unpack(update))
  return eventId
end

-- A finished task lives on for `ttl` ms, then expires (at once when 0).
local function expireFinished(key, ttl)
  redis.call('PEXPIRE', key, ttl)
end
