-- Claiming, the second half of the worker's settle call (settle-1.lua): from each queue in
-- turn, promotes the due delayed tasks, then pops ready ones, lowest priority first (FIFO
-- within a priority), and starts each: RUNNING under a lease, with a new attempt number. A task
-- whose gate is full parks at it instead (gates.lua), one whose record is unusable goes to the
-- dead letters (quarantine), and ids of tasks no longer waiting are dropped on the way.
-- Flow control (limits.lua): a queue's concurrency and rate limits bound how many start; a
-- task this worker has no handler for, or whose task name is at its rate limit, is held aside
-- in its name's held list (claimed from there first once it may run), never failed.
--
-- `c`, the claim, holds what every step reads: base, now, leaseMs, deadTtl, maxLen. Each queue
-- `q` is { name, hosted (flow.handlers; nil: any name), limits (flow.queueLimits) }.
--@include common
--@include gates
--@include limits

-- Delayed tasks promoted per queue and call: a backlog falling due at once never holds Redis
-- for long (the rest is promoted by the next calls).
local PROMOTE_BATCH = 1000
-- Tasks set aside per queue and call (held lists): a backlog of tasks this worker cannot run
-- never holds Redis for long either.
local HOLD_BATCH = 1000

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

-- When a popped task of `name` must wait instead of starting (see limits.lua): 0 when the
-- claiming worker has no handler for it, the time its task-name rate limit frees a start when
-- that is full; nil when it may start.
local function holdUntil(c, q, name)
  if q.hosted and not q.hosted.has(name) then return 0 end
  local rule = flow.nameRule(c.base, q.name, q.limits, name)
  if not rule then return nil end
  local room, freeAt = flow.rateRoom(flow.startsKey(c.base, q.name, name), rule, c.now)
  return room == 0 and freeAt or nil
end

-- Starts task `id` taken from queue `q`: returns what the worker gets of it; or nil when it
-- does not run now, and when it must be held (holdUntil), the time from which it may.
-- `leases` gathers score/id pairs: one ZADD per queue and call writes them, not one per task.
local function startTask(c, q, id, leases)
  local queue = q.name
  local key = taskKey(c.base, id)
  local t = redis.call('HMGET', key, F_STATUS, F_NAME, F_ARGS, F_ATTEMPT, F_FAILURES, F_OPTIONS,
    F_METADATA, F_HISTORY, F_CREATEDAT, F_PREVIOUS, F_PREVIOUSERROR, F_JOINED, F_LOCK, F_LIMIT,
    F_HELD, F_GROUP, F_DUEAT, F_TRACE)
  -- Lazily skip entries whose task expired, was cancelled or is no longer waiting.
  if t[1] ~= 'submitted' and t[1] ~= 'retrying' then
    return nil
  end
  if not t[2] or not t[3] or (t[4] and not tonumber(t[4])) then
    quarantine(c.base, queue, key, id, 'its record lacks a name or arguments, or has a bad attempt',
      c.deadTtl, c.now, c.maxLen)
    return nil
  end
  local holdAt = holdUntil(c, q, t[2])
  if holdAt then
    return nil, holdAt, t[2]
  end
  if (t[13] or t[14]) and not enterGates(c.base, id, t[2], t[13], t[14]) then
    return nil
  end
  local attempt = (tonumber(t[4]) or 0) + 1
  leases[#leases + 1] = c.now + c.leaseMs
  leases[#leases + 1] = id
  -- Retries are starts too: each attempt enters the logs.
  local member = id .. ':' .. attempt
  if q.limits.rate then
    flow.logStart(flow.startsKey(c.base, queue), q.limits.rate, member, c.now)
  end
  local rule = flow.nameRule(c.base, queue, q.limits, t[2])
  if rule then flow.logStart(flow.startsKey(c.base, queue, t[2]), rule, member, c.now) end
  if t[16] then flow.groupStarted(c.base, q, t[16], id, member, c.now) end
  if t[15] then redis.call('HDEL', key, F_HELD) end
  recordStatus(c.base, key, id, t[2], queue, 'running', attempt, c.maxLen,
    { fields = { F_ATTEMPT, attempt }, past = { t[8], t[9] } })
  local waited = math.max(0, c.now - waitingSince(t[9], t[17], t[8]))
  return { id, t[2], queue, t[3], attempt, t[5] or '0', t[6] or '', t[7] or '', t[10] or '',
    t[11] or '', t[12] or '', waited, t[18] or '' }
end

-- How many tasks `q` may start now, at most `count`: fewer under its concurrency limit (its
-- leases are its running tasks, on every worker) and its rate limit; with the time its rate
-- limit frees a start when that allows none.
local function queueRoom(c, q, count)
  local room, freeAt = count, nil
  if q.limits.concurrency then
    local running = redis.call('ZCARD', queueKey(c.base, q.name, QUEUE_LEASES))
    room = math.min(room, q.limits.concurrency - running)
  end
  if room > 0 and q.limits.rate then
    local free
    free, freeAt = flow.rateRoom(flow.startsKey(c.base, q.name), q.limits.rate, c.now)
    room = math.min(room, free)
  end
  return math.max(room, 0), freeAt
end

-- Starts up to `room` tasks from the held lists of `q` that may be claimed now and whose
-- handler this worker has, appending each to `claimed`; returns how many it started.
local function claimHeld(c, q, room, claimed, leases)
  local started = 0
  for _, name in ipairs(flow.dueNames(c.base, q.name, c.now)) do
    if started >= room then break end
    if not q.hosted or q.hosted.has(name) then
      while started < room do
        local id = flow.popHeld(c.base, q.name, name)
        if not id then break end
        local task, holdAt = startTask(c, q, id, leases)
        if task then
          claimed[#claimed + 1] = task
          started = started + 1
        elseif holdAt then
          flow.unpop(c.base, q.name, id, name, holdAt)
          break
        end
      end
    end
  end
  return started
end

-- Starts the next task of `lane` (a queue's ungrouped tasks, or a group's: lowest priority
-- first, FIFO within), setting aside on the way those to hold; nil when it has none to start.
local function startFromLane(c, q, lane, leases)
  local prioritiesKey = queueKey(c.base, lane, QUEUE_PRIORITIES)
  for _ = 1, HOLD_BATCH do
    local priority = redis.call('ZRANGE', prioritiesKey, 0, 0)[1]
    if not priority then return nil end
    local list = readyKey(c.base, lane, priority)
    local id = redis.call('LPOP', list)
    if redis.call('EXISTS', list) == 0 then redis.call('ZREM', prioritiesKey, priority) end
    if id then
      local task, holdAt, name = startTask(c, q, id, leases)
      if task then return task end
      if holdAt then flow.hold(c.base, q.name, id, name, holdAt) end
    end
  end
  return nil
end

-- Starts up to `room` tasks from the rotation of `q`'s groups, one per turn: a group's turn
-- starts its next task, and the group goes to the back of the rotation while it has tasks, or
-- waits out of it while it is at its limits. O(1) turns per task, whatever the number of
-- groups or of tasks in a group.
local function claimRotation(c, q, room, claimed, leases)
  local rotation = queueKey(c.base, q.name, QUEUE_GROUPS)
  local started, turns = 0, redis.call('LLEN', rotation) + room
  while started < room and turns > 0 do
    turns = turns - 1
    local member = redis.call('LPOP', rotation)
    if not member then break end
    local grouped = member ~= ''
    local lane = grouped and groupLane(q.name, member) or q.name
    local free, freeAt = 1, nil
    if grouped then free, freeAt = flow.groupRoom(c.base, q, member, c.now) end
    if free == 0 then
      flow.groupWait(c.base, q.name, member, freeAt)
    else
      local task = startFromLane(c, q, lane, leases)
      if task then
        claimed[#claimed + 1] = task
        started = started + 1
        if grouped then free, freeAt = flow.groupRoom(c.base, q, member, c.now) end
      end
      if redis.call('EXISTS', queueKey(c.base, lane, QUEUE_PRIORITIES)) == 0 then
        -- Idle: out of the rotation until a task of it is ready again (pushReady).
      elseif free == 0 then
        flow.groupWait(c.base, q.name, member, freeAt)
      else
        redis.call('RPUSH', rotation, member)
      end
    end
  end
  return started
end

-- Pops and starts up to `count` ready tasks of `q` (its held lists first, then its groups in
-- turn when it has some), appending each to `claimed`. Returns how many it started, and
-- whether its limits stopped it short (then the time its rate limit frees a start, if that is
-- what stopped it).
local function claimFrom(c, q, count, claimed)
  local room, freeAt = queueRoom(c, q, count)
  local limited = room < count
  local prioritiesKey = queueKey(c.base, q.name, QUEUE_PRIORITIES)
  local leases = {}
  local started = 0
  if not q.quiet then
    started = claimHeld(c, q, room, claimed, leases)
    flow.groupsDue(c.base, q.name, c.now)
  end
  if not q.quiet and redis.call('EXISTS', queueKey(c.base, q.name, QUEUE_GROUPS)) == 1 then
    started = started + claimRotation(c, q, room - started, claimed, leases)
    callBatched('ZADD', queueKey(c.base, q.name, QUEUE_LEASES), leases)
    return started, limited, freeAt
  end
  local held = 0
  while started < room and held < HOLD_BATCH do
    local priority = redis.call('ZRANGE', prioritiesKey, 0, 0)[1]
    if not priority then
      break
    end
    local asked = room - started
    local ids = redis.call('LPOP', readyKey(c.base, q.name, priority), asked)
    if not ids or #ids < asked then
      -- The list is empty now (LPOP deleted it): this priority has no waiting task left.
      redis.call('ZREM', prioritiesKey, priority)
    end
    for _, id in ipairs(ids or {}) do
      local task, holdAt, name = startTask(c, q, id, leases)
      if task then
        claimed[#claimed + 1] = task
        started = started + 1
      elseif holdAt then
        flow.hold(c.base, q.name, id, name, holdAt)
        held = held + 1
      end
    end
  end
  callBatched('ZADD', queueKey(c.base, q.name, QUEUE_LEASES), leases)
  return started, limited, freeAt
end

-- The queues of `names` that are not paused. A paused queue is left alone: nothing promoted or
-- claimed, no wake-up passed on (that would wake idle workers for nothing, over and over), and
-- its delayed tasks set no timer.
local function unpausedQueues(base, entries)
  local queues = {}
  for _, q in ipairs(entries) do
    if redis.call('EXISTS', queueKey(base, q.name, QUEUE_PAUSED)) == 0 then
      queues[#queues + 1] = q
    end
  end
  return queues
end

-- Claims up to `wanted` tasks from the queues `entries` ({ name, hosted }: hosted = the task
-- names this worker has handlers for, nil for any), in that order, appending each to
-- `claimed`. Returns the ms until the earliest delayed task of those queues is due or a rate
-- limit frees a start (0: now), or -1 when neither.
local function claimTasks(c, entries, wanted, claimed)
  local total, nextAt = 0, -1
  local function soonest(at)
    if at and (nextAt == -1 or at < nextAt) then nextAt = at end
  end
  for _, q in ipairs(unpausedQueues(c.base, entries)) do
    promoteDue(c, q.name)
    q.limits = flow.queueLimits(c.base, q.name)
    q.quiet = flow.quiet(c.base, q.name)
    local started, limited, freeAt = claimFrom(c, q, wanted - total, claimed)
    total = total + started
    local waiting = flow.hasReady(c.base, q.name)
    if limited then
      -- At its limit: nobody is woken for it (that would spin). A rate limit's worker waits on
      -- its timer; a concurrency limit's next end of a run wakes one (flow.runEnded). The mark
      -- tells Cluster workers, which look for work before they sleep, to leave it alone.
      soonest(freeAt)
      if waiting then
        redis.call('SET', queueKey(c.base, q.name, QUEUE_LIMITED), '1', 'PX',
          freeAt and math.max(1, freeAt - c.now) or c.leaseMs)
      end
    elseif wanted > 0 and waiting then
      -- Work left behind: pass the wake-up on to another idle worker.
      wake(c.base, q.name)
    end
    -- A quiet queue has nothing held or waiting to come back, unless this claim set some aside.
    if not q.quiet or (CALL.held and CALL.held[q.name]) then
      soonest(flow.nextHeldAt(c.base, q.name, c.now))
      soonest(flow.nextGroupAt(c.base, q.name, c.now))
    end
    local first = redis.call('ZRANGE', queueKey(c.base, q.name, QUEUE_DELAYED), 0, 0, 'WITHSCORES')
    soonest(tonumber(first[2]))
  end
  flow.writeLogs(c.now)
  return nextAt == -1 and -1 or math.max(0, nextAt - c.now)
end
