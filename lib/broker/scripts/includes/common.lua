-- Helpers shared by every script that writes tasks. The layout constants (FAMILY_*, QUEUE_*,
-- F_*) are injected above this file by the script loader from lib/broker/keys.ts, the one owner
-- of names; includes/keys.lua builds the keys from them.
--@include keys

-- Server time, so that every worker and producer shares one clock. Safe for replicas and AOF:
-- Redis >= 5 replicates a script's effects, not the script.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Runs a variadic command (ZADD, ZREM, ...) on `key` with `items`, 1,000 at a time (unpack is
-- bounded by Lua's stack); nothing when `items` is empty. One call instead of one per item.
local function callBatched(command, key, items)
  for first = 1, #items, 1000 do
    redis.call(command, key, unpack(items, first, math.min(first + 999, #items)))
  end
end

-- Rings the slot's doorbell of `family` (Redis Cluster, see lib/redis/bells.ts): publishes the
-- slot's base on the prefix's channel while some process waits on the slot (its bell key
-- exists). Never in the prefix's own slot: there, readers block on the keys themselves.
local function ring(base, family)
  if isPrefixSlot(base) then return end
  -- Once per slot, family and call: a woken process reads all that the call wrote.
  local bell = slotKey(base, family)
  CALL.rung = CALL.rung or {}
  if CALL.rung[bell] then return end
  CALL.rung[bell] = true
  if redis.call('EXISTS', bell) == 1 then
    redis.call('PUBLISH', prefixKey(base, family), base)
  end
end

-- One marker is enough: the worker that takes it claims, and pushes another if work remains.
-- Workers that wait on doorbells (Cluster) take no marker: the bell tells them each time.
local function wake(base, queue)
  ring(base, FAMILY_WAKEBELL)
  local key = queueKey(base, queue, QUEUE_WAKE)
  -- Once per queue and call: no script pops a wake-up, so the first one is still there.
  CALL.woken = CALL.woken or {}
  if CALL.woken[key] then return end
  CALL.woken[key] = true
  if redis.call('LLEN', key) == 0 then
    redis.call('LPUSH', key, '1')
  end
end

-- The lane of group `group` of `queue`: a pseudo-queue name (a queue name never holds ':')
-- under which the group keeps its own priorities, ready lists, running set and start log, so
-- that a group's tasks are taken by priority, then FIFO, like a queue's.
local function groupLane(queue, group)
  return queue .. ':g:' .. group
end

-- A lane (the queue's ungrouped tasks: member '', or a group) that had no ready task has one
-- now: it joins the queue's rotation of groups (QUEUE_GROUPS), which claims serve in turn.
-- The ungrouped tasks take turns only while some group has work (until then claims take them
-- directly); a group waiting for its limits rejoins when they free (includes/limits.lua).
local function joinRotation(base, queue, member)
  local rotation = queueKey(base, queue, QUEUE_GROUPS)
  if member == '' then
    if redis.call('EXISTS', rotation) == 1 then redis.call('RPUSH', rotation, '') end
    return
  end
  if redis.call('ZSCORE', queueKey(base, queue, QUEUE_GROUPSWAITING), member) then return end
  if redis.call('EXISTS', rotation) == 0
    and redis.call('ZCARD', queueKey(base, queue, QUEUE_PRIORITIES)) > 0 then
    redis.call('RPUSH', rotation, '')
  end
  redis.call('RPUSH', rotation, member)
end

-- Makes a task ready: the tail of its priority's list (FIFO), or the head when it is handed
-- back and must keep its turn; in its group's lane when it has a group (`group`: false for
-- none, nil to read it from the task's record).
local function pushReady(base, queue, id, priority, atHead, group)
  if group == nil then group = redis.call('HGET', taskKey(base, id), F_GROUP) or false end
  local lane = group and groupLane(queue, group) or queue
  local length = redis.call(atHead and 'LPUSH' or 'RPUSH', readyKey(base, lane, priority), id)
  -- A non-empty list's priority is registered already (a claim unregisters a priority only
  -- when it drained the list): register it for a list that was empty.
  if length == 1 then
    local priorities = queueKey(base, lane, QUEUE_PRIORITIES)
    redis.call('ZADD', priorities, priority, priority)
    if redis.call('ZCARD', priorities) == 1 then joinRotation(base, queue, group or '') end
  end
end

-- Tells every worker that `queue`'s earliest delayed task is due in `dueIn` ms (pub/sub), so
-- that each idle one sets its timer, not only the one that takes the wake-up marker.
local function announceDue(base, queue, dueIn)
  redis.call('PUBLISH', prefixKey(base, FAMILY_SCHEDULE), queue .. ':' .. dueIn)
end

-- Adds a delayed task, announced when it is now its queue's earliest.
local function addDelayed(base, queue, id, dueAt, now)
  -- Claims measure how long the task waited from its due time, not from its enqueue.
  redis.call('HSET', taskKey(base, id), F_DUEAT, dueAt)
  local key = queueKey(base, queue, QUEUE_DELAYED)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  redis.call('ZADD', key, dueAt, id)
  if not first[2] or dueAt < tonumber(first[2]) then
    announceDue(base, queue, dueAt - now)
  end
end

-- Records a status change in the queue's events stream and the task hash; the stream id is
-- the change's timestamp. Every change but progress is appended to the task's history.
-- `extra` (optional) holds: `event` = { name, value } carried by the event (error, progress
-- or result JSON), `fields` = more task hash field/value pairs, `summary` = the JSON array
-- [errorName, message] a failing run leaves in the history, `past` = { history, createdAt }
-- when the caller has read those fields already. Nothing here decodes JSON, so no
-- handler-supplied text can make the script fail halfway.
local function recordStatus(base, key, id, name, queue, status, attempt, maxLen, extra)
  extra = extra or {}
  local fields = { 'id', id, 'task', name, 'status', status, 'attempt', attempt }
  if extra.event then
    fields[#fields + 1] = extra.event[1]
    fields[#fields + 1] = extra.event[2]
  end
  local eventId = redis.call('XADD', queueKey(base, queue, QUEUE_EVENTS), 'MAXLEN', '~', maxLen,
    '*', unpack(fields))
  ring(base, FAMILY_EVENTSBELL)
  local update = extra.fields or {}
  update[#update + 1] = F_EVENTID
  update[#update + 1] = eventId
  local isProgress = extra.event ~= nil and extra.event[1] == 'progress'
  if not isProgress then
    -- History entries are [status, attempt, ms since creation(, [error name, message])], kept
    -- short so that the hash stays in Redis's compact listpack encoding.
    local t = extra.past or redis.call('HMGET', key, F_HISTORY, F_CREATEDAT)
    local since = (tonumber(eventId:match('^(%d+)')) or 0) - (tonumber(t[2]) or 0)
    local entry = '["' .. status .. '",' .. attempt .. ',' .. since
      .. (extra.summary and (',' .. extra.summary) or '') .. ']'
    update[#update + 1] = F_STATUS
    update[#update + 1] = status
    update[#update + 1] = F_HISTORY
    update[#update + 1] = t[1] and (t[1] .. ',' .. entry) or entry
  end
  redis.call('HSET', key, unpack(update))
  return eventId
end

-- A task whose record lacks what taskmill always writes (foreign or corrupted data under our
-- prefix) goes to the dead-letter set with a reason, instead of failing the script that met
-- it (which would stop every worker of the queue at the same entry).
local function quarantine(base, queue, key, id, reason, deadTtl, now, maxLen)
  local errorJson = cjson.encode({ name = ERROR_NAME.CORRUPT_TASK, message = reason })
  redis.call('ZREM', queueKey(base, queue, QUEUE_LEASES), id)
  redis.call('ZADD', queueKey(base, queue, QUEUE_DEAD), now, id)
  local eventId = redis.call('XADD', queueKey(base, queue, QUEUE_EVENTS), 'MAXLEN', '~', maxLen,
    '*', 'id', id, 'task', '(unknown)', 'status', 'failed', 'attempt', 0, 'error', errorJson)
  ring(base, FAMILY_EVENTSBELL)
  redis.call('HSET', key, F_STATUS, 'failed', F_ERROR, errorJson, F_QUEUE, queue,
    F_NAME, redis.call('HGET', key, F_NAME) or '(unknown)', F_EVENTID, eventId)
  redis.call('PEXPIRE', key, deadTtl)
end

-- A finished task lives on for `ttl` ms, then expires (at once when 0).
local function expireFinished(key, ttl)
  redis.call('PEXPIRE', key, ttl)
end

-- Fails a task that cannot run any more for a reason found by a sweep (not by its handler):
-- FAILED with `errorName` and `message`, into the dead-letter set, where requeueDead() can
-- give it another run. `t` holds its name, attempt and result TTL.
local function failToDeadLetters(base, queue, key, id, t, errorName, message, deadTtl, now,
                                 maxLen, fields)
  local errorJson = cjson.encode({ name = errorName, message = message })
  local deadKey = queueKey(base, queue, QUEUE_DEAD)
  redis.call('ZADD', deadKey, now, id)
  redis.call('ZREMRANGEBYSCORE', deadKey, '-inf', now - deadTtl)
  redis.call('HINCRBY', key, F_FAILURES, 1)
  fields = fields or {}
  fields[#fields + 1] = F_ERROR
  fields[#fields + 1] = errorJson
  recordStatus(base, key, id, t.name, queue, 'failed', t.attempt, maxLen, {
    event = { 'error', errorJson },
    fields = fields,
    summary = cjson.encode({ errorName, message }),
  })
  expireFinished(key, math.max(tonumber(t.resultTtl or DEFAULT_RESULT_TTL), deadTtl))
end

-- The ids named in ARGV[first..], or when none are, the `limit` oldest of the dead-letter set.
local function deadIdsToHandle(deadKey, first, limit)
  local ids = {}
  for i = first, #ARGV do
    ids[#ids + 1] = ARGV[i]
  end
  if #ids == 0 then
    ids = redis.call('ZRANGE', deadKey, 0, limit - 1)
  end
  return ids
end

