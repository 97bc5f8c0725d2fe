-- Flow control at claim time (claim.lua): the limits stored in a queue's settings hash (written
-- at startup by the apps that declare them, lib/broker/flow-settings.ts) and the held lists
-- where a claim sets tasks aside without blocking the tasks behind them.
--
-- Rate limits are sliding logs: a sorted set of the starts of the last `perMs`, one entry per
-- claim call that started some (member `<count>:<first start's id:attempt>`, score = the call's
-- time: a call's starts share its millisecond), and their running total (member '#', score =
-- minus the total, so that trimming by time never takes it). A start is allowed while fewer
-- than `max` starts lie in (now - perMs, now], so no interval of perMs anywhere holds more than
-- `max` starts (a fixed window would allow 2 × max across its boundary). A call reads and writes
-- each log a few times whatever the number of starts it makes, and the log expires `perMs`
-- after its last start: an idle limit leaves no key.
--
-- Held lists: a task the claiming worker has no handler for, or whose task name is at its rate
-- limit, goes to the tail of its name's held list (`held:<name>`), and the name into the queue's
-- held-names set, scored with when it may be claimed again (0: at once, by a worker that has
-- its handler; else the time its rate limit frees a start). Claims look at the names due there
-- first, so a name's tasks keep their order, and a task waits there once, not once per claim.
-- Everything is kept in one table: the function library shares Lua's 200 locals.
--@include common

local flow = {}

-- How long a worker's set of handler names outlives its last claim on the slot.
local HANDLERS_TTL_MS = 600000

-- The set of a worker's handler names stored under `digest` (KEY_FAMILIES.handlers): known()
-- (and kept alive), store(ARGV, first, last) writes the names ARGV[first..last], has(name)
-- answers from the set, once per name and call. Its cost per claim does not depend on how
-- many names the worker has.
function flow.handlers(base, digest)
  local key = namedKey(base, FAMILY_HANDLERS, digest)
  local seen = {}
  local set = {}
  function set.known()
    return redis.call('PEXPIRE', key, HANDLERS_TTL_MS) == 1
  end
  function set.store(args, first, last)
    redis.call('DEL', key)
    for from = first, last, 1000 do
      redis.call('SADD', key, unpack(args, from, math.min(from + 999, last)))
    end
    redis.call('PEXPIRE', key, HANDLERS_TTL_MS)
  end
  function set.has(name)
    if seen[name] == nil then
      seen[name] = redis.call('SISMEMBER', key, name) == 1
    end
    return seen[name]
  end
  return set
end

-- `max:perMs` → max, perMs.
function flow.rule(text)
  local max, per = text:match('^(%d+):(%d+)$')
  return tonumber(max), tonumber(per)
end

-- The start logs this call has read (CALL.logs, by key): { used = starts in the window before
-- this call, added = this call's starts, first = the first one's member, per }.
local function startLog(key, per, now)
  CALL.logs = CALL.logs or {}
  local log = CALL.logs[key]
  if not log then
    -- The calls' entries that left the window take their starts out of the total.
    local gone = redis.call('ZRANGEBYSCORE', key, 0, now - per)
    if #gone > 0 then
      local count = 0
      for _, entry in ipairs(gone) do count = count + (tonumber(entry:match('^(%d+):')) or 0) end
      redis.call('ZREMRANGEBYSCORE', key, 0, now - per)
      redis.call('ZINCRBY', key, count, '#')
    end
    log = { used = -(tonumber(redis.call('ZSCORE', key, '#')) or 0), added = 0, per = per }
    CALL.logs[key] = log
  end
  return log
end

-- How many more starts the log `key` allows now under `rule` (`max:perMs`), and when none
-- does, the time (epoch ms) from which one is allowed again.
function flow.rateRoom(key, rule, now)
  local max, per = flow.rule(rule)
  local log = startLog(key, per, now)
  local used = log.used + log.added
  local room = math.max(max - used, 0)
  if room > 0 then return room, nil end
  -- The oldest starts must leave the window until fewer than `max` remain: the time the
  -- entry holding the last of them leaves it (this call's own starts leave last).
  local leaving, excess = 0, used - max + 1
  local entries = redis.call('ZRANGEBYSCORE', key, 0, '+inf', 'WITHSCORES')
  for i = 1, #entries, 2 do
    leaving = leaving + (tonumber(entries[i]:match('^(%d+):')) or 0)
    if leaving >= excess then return room, tonumber(entries[i + 1]) + per end
  end
  return room, now + per
end

-- Records a start (`member`: the run's `id:attempt`) in the log `key` of `rule` (written by
-- flow.writeLogs).
function flow.logStart(key, rule, member, now)
  local _, per = flow.rule(rule)
  local log = startLog(key, per, now)
  log.added = log.added + 1
  log.first = log.first or member
end

-- Writes this call's starts: one entry and the total per log, which expires `perMs` after its
-- last start.
function flow.writeLogs(now)
  for key, log in pairs(CALL.logs or {}) do
    if log.added > 0 then
      redis.call('ZADD', key, now, log.added .. ':' .. log.first)
      redis.call('ZINCRBY', key, -log.added, '#')
      redis.call('PEXPIRE', key, log.per)
    end
  end
  CALL.logs = nil
end

-- Whether `queue` has neither held tasks nor groups (no held names, no group rotation, no
-- group waiting for its limits): then a claim skips their reads. One command for three.
function flow.quiet(base, queue)
  return redis.call('EXISTS', queueKey(base, queue, QUEUE_HELDNAMES),
    queueKey(base, queue, QUEUE_GROUPS), queueKey(base, queue, QUEUE_GROUPSWAITING)) == 0
end

-- The settings of `queue` a claim applies: { rate = 'max:perMs' | false, concurrency = n |
-- false, names = {} (a cache of task-name rules) }.
function flow.queueLimits(base, queue)
  local s = redis.call('HMGET', queueKey(base, queue, QUEUE_SETTINGS), 'rate', 'concurrency',
    'group-rate', 'group-concurrency', 'rate-names')
  return { rate = s[1] or false, concurrency = tonumber(s[2]) or false, groupRate = s[3] or false,
    groupConcurrency = tonumber(s[4]) or false, rateNames = s[5] == '1', names = {} }
end

-- How many tasks group `group` of queue `q` may start now (math.huge: no limit), and when its
-- rate limit frees a start when that allows none (queues.<q>.groups, for each group key).
function flow.groupRoom(base, q, group, now)
  local lane = groupLane(q.name, group)
  local room, freeAt = math.huge, nil
  if q.limits.groupConcurrency then
    room = q.limits.groupConcurrency - redis.call('SCARD', queueKey(base, lane, QUEUE_RUNNING))
  end
  if room > 0 and q.limits.groupRate then
    local free
    free, freeAt = flow.rateRoom(flow.startsKey(base, lane), q.limits.groupRate, now)
    room = math.min(room, free)
  end
  return math.max(room, 0), freeAt
end

-- A group at its limits leaves the rotation until they free: at `freeAt`, or (nil) when one
-- of its runs ends. Its tasks stay in its lane.
function flow.groupWait(base, queue, group, freeAt)
  redis.call('ZADD', queueKey(base, queue, QUEUE_GROUPSWAITING), freeAt or '+inf', group)
end

-- Groups whose rate limit frees a start by now rejoin the rotation.
function flow.groupsDue(base, queue, now)
  local key = queueKey(base, queue, QUEUE_GROUPSWAITING)
  for _, group in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', now, 'LIMIT', 0, 1000)) do
    redis.call('ZREM', key, group)
    if redis.call('EXISTS', queueKey(base, groupLane(queue, group), QUEUE_PRIORITIES)) == 1 then
      joinRotation(base, queue, group)
    end
  end
end

-- When the next group waiting for its rate limit may start again (epoch ms), or nil.
function flow.nextGroupAt(base, queue, now)
  return flow.nextAfter(queueKey(base, queue, QUEUE_GROUPSWAITING), now)
end

-- A task of group `group` starts: it counts against the group's limits.
function flow.groupStarted(base, q, group, id, member, now)
  local lane = groupLane(q.name, group)
  if q.limits.groupConcurrency then
    redis.call('SADD', queueKey(base, lane, QUEUE_RUNNING), id)
  end
  if q.limits.groupRate then flow.logStart(flow.startsKey(base, lane), q.limits.groupRate, member, now) end
end

-- A run of group `group` ended (outcome or lease sweep): its place is free, and the group, if
-- it waited for one, rejoins the rotation.
function flow.groupRunEnded(base, queue, id, group)
  local lane = groupLane(queue, group)
  redis.call('SREM', queueKey(base, lane, QUEUE_RUNNING), id)
  local waitingKey = queueKey(base, queue, QUEUE_GROUPSWAITING)
  if redis.call('ZSCORE', waitingKey, group) == 'inf' then
    redis.call('ZREM', waitingKey, group)
    if redis.call('EXISTS', queueKey(base, lane, QUEUE_PRIORITIES)) == 1 then
      joinRotation(base, queue, group)
      wake(base, queue)
    end
  end
end

-- The rate rule of task name `name` in a queue (false: none), read once per claim.
function flow.nameRule(base, queue, limits, name)
  if not limits.rateNames then return false end
  local rule = limits.names[name]
  if rule == nil then
    rule = redis.call('HGET', queueKey(base, queue, QUEUE_SETTINGS), 'rate:' .. name) or false
    limits.names[name] = rule
  end
  return rule
end

-- The start log of a queue (name nil) or of one task name in it.
function flow.startsKey(base, queue, name)
  local key = queueKey(base, queue, QUEUE_STARTS)
  return name and (key .. ':' .. name) or key
end

function flow.heldKey(base, queue, name)
  return queueKey(base, queue, QUEUE_HELD) .. ':' .. name
end

-- Sets task `id` (of task name `name`) aside at the tail of its name's held list, claimable
-- from `dueAt` (0: at once) or later when the name is held until later already.
function flow.hold(base, queue, id, name, dueAt)
  CALL.held = CALL.held or {}
  CALL.held[queue] = true
  redis.call('RPUSH', flow.heldKey(base, queue, name), id)
  redis.call('HSET', taskKey(base, id), F_HELD, '1')
  -- A name newly set aside for want of a handler: one idle worker is woken (it may have it).
  -- Once only, so that workers without it never wake each other in turn.
  if flow.holdName(base, queue, name, dueAt) and dueAt == 0 then
    wake(base, queue)
  end
end

-- Marks `name`'s held list claimable from `dueAt`, unless it is so until later already.
-- Returns true when the name was not held before.
function flow.holdName(base, queue, name, dueAt)
  local namesKey = queueKey(base, queue, QUEUE_HELDNAMES)
  local current = tonumber(redis.call('ZSCORE', namesKey, name))
  if not current or dueAt > current then
    redis.call('ZADD', namesKey, dueAt, name)
  end
  return current == nil
end

-- Puts a task taken from the head of its held list back there (its turn kept).
function flow.unpop(base, queue, id, name, dueAt)
  redis.call('LPUSH', flow.heldKey(base, queue, name), id)
  flow.holdName(base, queue, name, dueAt)
end

-- Whether `queue` has ready tasks to claim: in its ready lists or in its groups' rotation.
function flow.hasReady(base, queue)
  return redis.call('EXISTS', queueKey(base, queue, QUEUE_PRIORITIES),
    queueKey(base, queue, QUEUE_GROUPS)) > 0
end

-- The names whose held lists may be claimed now.
function flow.dueNames(base, queue, now)
  return redis.call('ZRANGEBYSCORE', queueKey(base, queue, QUEUE_HELDNAMES), '-inf', now)
end

-- The lowest finite score after `now` in the sorted set `key` (a time, epoch ms), or nil.
function flow.nextAfter(key, now)
  local first = redis.call('ZRANGEBYSCORE', key, '(' .. now, '(+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return tonumber(first[2])
end

-- When the next held name becomes claimable (epoch ms), or nil.
function flow.nextHeldAt(base, queue, now)
  return flow.nextAfter(queueKey(base, queue, QUEUE_HELDNAMES), now)
end

-- Takes the next id of `name`'s held list; nil (and the name forgotten) when it is empty.
function flow.popHeld(base, queue, name)
  local id = redis.call('LPOP', flow.heldKey(base, queue, name))
  if not id then
    redis.call('ZREM', queueKey(base, queue, QUEUE_HELDNAMES), name)
  end
  return id
end

-- Removes `id` from its held list (a cancel): O(n) in that list, like a cancel's LREM.
function flow.unhold(base, queue, id, name)
  redis.call('LREM', flow.heldKey(base, queue, name), 1, id)
  redis.call('HDEL', taskKey(base, id), F_HELD)
  if redis.call('EXISTS', flow.heldKey(base, queue, name)) == 0 then
    redis.call('ZREM', queueKey(base, queue, QUEUE_HELDNAMES), name)
  end
end

-- A run of `queue` ended: under a concurrency limit its place is free, so an idle worker is
-- woken when tasks wait (claims leave the wake-up alone while the limit is full).
function flow.runEnded(base, queue)
  -- Once per queue and call: after the first, the mark is gone and the wake-up given.
  CALL.ended = CALL.ended or {}
  if CALL.ended[queue] then return end
  CALL.ended[queue] = true
  if redis.call('HEXISTS', queueKey(base, queue, QUEUE_SETTINGS), 'concurrency') == 1 then
    redis.call('DEL', queueKey(base, queue, QUEUE_LIMITED))
    if flow.hasReady(base, queue)
      or redis.call('ZCARD', queueKey(base, queue, QUEUE_HELDNAMES)) > 0 then
      wake(base, queue)
    end
  end
end
