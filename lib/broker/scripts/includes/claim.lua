-- Claiming, the second half of the worker's settle call (settle-1.lua): from each queue in
-- turn, promotes the due delayed tasks, then pops ready ones, lowest priority first (FIFO
-- within a priority), and starts each: RUNNING under a lease, with a new attempt number. A task
-- whose gate is full parks at it instead (gates.lua), one whose record is unusable goes to the
-- dead letters (quarantine), and ids of tasks no longer waiting are dropped on the way.
--
-- `c`, the claim, holds what every step reads: base, now, leaseMs, deadTtl, maxLen.
--@include common
--@include gates

-- Delayed tasks promoted per queue and call: a backlog falling due at once never holds Redis
-- for long (the rest is promoted by the next calls).
local PROMOTE_BATCH = 1000

-- Moves the due delayed tasks of `queue` to their ready lists.
local function promoteDue(c, queue)
  local delayedKey = queueKey(c.base, queue, QUEUE_DELAYED)
  local due = redis.call('ZRANGEBYSCORE', delayedKey, '-inf', c.now, 'LIMIT', 0, PROMOTE_BATCH)
  for _, id in ipairs(due) do
    redis.call('ZREM', delayedKey, id)
    local key = taskKey(c.base, id)
    local priority = redis.call('HGET', key, F_PRIORITY)
    if priority then
      pushReady(c.base, queue, id, priority, false)
    elseif redis.call('EXISTS', key) == 1 then
      quarantine(c.base, queue, key, id, 'its record has no priority', c.deadTtl, c.now, c.maxLen)
    end
  end
end

-- When task `id` last started waiting (epoch ms, server clock): the latest of its creation,
-- its due time (F_DUEAT) and its last status change (a retry without backoff, a hand-back).
-- History entries begin `["<status>",<attempt>,<ms since creation>`; no error text inside an
-- entry can look like that ('[' then '"' never occurs within a JSON string), so the last
-- match is the last entry.
local function waitingSince(createdAt, dueAt, history)
  local since = tonumber(createdAt) or 0
  local last = history and tonumber(history:match('.*%["%a+",%d+,(%d+)'))
  return math.max(since + (last or 0), tonumber(dueAt) or 0)
end

-- Starts task `id` popped from `queue`: returns what the worker gets of it, or nil when it does
-- not run now. `leases` gathers score/id pairs: one ZADD per queue and call writes them, not
-- one per task.
local function startTask(c, queue, id, leases)
  local key = taskKey(c.base, id)
  local t = redis.call('HMGET', key, F_STATUS, F_NAME, F_ARGS, F_ATTEMPT, F_FAILURES, F_OPTIONS,
    F_METADATA, F_HISTORY, F_CREATEDAT, F_PREVIOUS, F_PREVIOUSERROR, F_JOINED, F_LOCK, F_LIMIT,
    F_DUEAT, F_TRACE)
  -- Lazily skip entries whose task expired, was cancelled or is no longer waiting.
  if t[1] ~= 'submitted' and t[1] ~= 'retrying' then
    return nil
  end
  if not t[2] or not t[3] or (t[4] and not tonumber(t[4])) then
    quarantine(c.base, queue, key, id, 'its record lacks a name or arguments, or has a bad attempt',
      c.deadTtl, c.now, c.maxLen)
    return nil
  end
  if (t[13] or t[14]) and not enterGates(c.base, id, t[2], t[13], t[14]) then
    return nil
  end
  local attempt = (tonumber(t[4]) or 0) + 1
  leases[#leases + 1] = c.now + c.leaseMs
  leases[#leases + 1] = id
  recordStatus(c.base, key, id, t[2], queue, 'running', attempt, c.maxLen,
    { fields = { F_ATTEMPT, attempt }, past = { t[8], t[9] } })
  local waited = math.max(0, c.now - waitingSince(t[9], t[15], t[8]))
  return { id, t[2], queue, t[3], attempt, t[5] or '0', t[6] or '', t[7] or '', t[10] or '',
    t[11] or '', t[12] or '', waited, t[16] or '' }
end

-- Pops and starts up to `count` ready tasks of `queue`, appending each to `claimed`; returns
-- how many it started.
local function claimFrom(c, queue, count, claimed)
  local prioritiesKey = queueKey(c.base, queue, QUEUE_PRIORITIES)
  local leases, started = {}, 0
  while started < count do
    local priority = redis.call('ZRANGE', prioritiesKey, 0, 0)[1]
    if not priority then
      break
    end
    local asked = count - started
    local ids = redis.call('LPOP', readyKey(c.base, queue, priority), asked)
    if not ids or #ids < asked then
      -- The list is empty now (LPOP deleted it): this priority has no waiting task left.
      redis.call('ZREM', prioritiesKey, priority)
    end
    for _, id in ipairs(ids or {}) do
      local task = startTask(c, queue, id, leases)
      if task then
        claimed[#claimed + 1] = task
        started = started + 1
      end
    end
  end
  callBatched('ZADD', queueKey(c.base, queue, QUEUE_LEASES), leases)
  return started
end

-- The queues of `names` that are not paused. A paused queue is left alone: nothing promoted or
-- claimed, no wake-up passed on (that would wake idle workers for nothing, over and over), and
-- its delayed tasks set no timer.
local function unpausedQueues(base, names)
  local queues = {}
  for _, queue in ipairs(names) do
    if redis.call('EXISTS', queueKey(base, queue, QUEUE_PAUSED)) == 0 then
      queues[#queues + 1] = queue
    end
  end
  return queues
end

-- Claims up to `wanted` tasks from the queues `names`, in that order, appending each to
-- `claimed`. Returns the ms until the earliest delayed task of those queues is due (0: due
-- now), or -1 when none is delayed.
local function claimTasks(c, names, wanted, claimed)
  local total, nextDueAt = 0, -1
  for _, queue in ipairs(unpausedQueues(c.base, names)) do
    promoteDue(c, queue)
    total = total + claimFrom(c, queue, wanted - total, claimed)
    -- Work left behind: pass the wake-up on to another idle worker.
    if wanted > 0 and redis.call('ZCARD', queueKey(c.base, queue, QUEUE_PRIORITIES)) > 0 then
      wake(c.base, queue)
    end
    local first = redis.call('ZRANGE', queueKey(c.base, queue, QUEUE_DELAYED), 0, 0, 'WITHSCORES')
    if first[2] and (nextDueAt == -1 or tonumber(first[2]) < nextDueAt) then
      nextDueAt = tonumber(first[2])
    end
  end
  return nextDueAt == -1 and -1 or math.max(0, nextDueAt - c.now)
end
