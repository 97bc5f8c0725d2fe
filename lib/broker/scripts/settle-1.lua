-- The worker's one round trip: records the outcomes of finished runs, then claims up to
-- `wanted` tasks: promotes due delayed tasks, pops the lowest priority first (FIFO within a
-- priority) and marks each RUNNING under a lease and a new attempt number.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  lease ms   ARGV[4]  wanted
-- ARGV[5]  dead-letter TTL ms   ARGV[6]  number of outcomes, then 6 fields per outcome:
--          kind ('complete' | 'retry' | 'fail' | 'release'; a trailing '?' marks a repeat of
--          a write that may have run already, see repeatedOutcome), id, attempt,
--          payload (result, or error JSON), retry delay ms, error summary for the history
--          (JSON array [name, message])
-- ARGV[..] queue names to claim from, in order (paused ones are skipped)
-- Returns  { codes, nextDueIn, handoffs, claimed... }: one outcome code per outcome (see
--          outcomes.lua); ms until the earliest delayed task of these queues is due (-1: none);
--          the workflow handoffs the outcomes wrote to this slot's outbox, for tasks of other
--          slots (includes/chains.lua; the caller delivers them); and each
--          claimed task as { id, name, queue, args, attempt, failures, options, metadata,
--          previous step's result, previous step's error, '1' when the previous "result" is
--          a chord's JSON array of results } (workflows; '' when none)
--@allow-oom
--@include common
--@include gates
--@include chains
--@include outcomes

local base, maxLen, leaseMs = ARGV[1], ARGV[2], tonumber(ARGV[3])
local wanted, deadTtl, outcomeCount = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local now = nowMs()
local PROMOTE_BATCH = 1000
handoffsBegin()

local codes = {}
local OUTCOME_FIELDS = 6
for i = 1, outcomeCount do
  local at = 7 + (i - 1) * OUTCOME_FIELDS
  local kind, id, attempt, payload = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  local isRepeat = kind:sub(-1) == '?'
  if isRepeat then
    kind = kind:sub(1, -2)
  end
  if kind == 'complete' then
    codes[i] = complete(base, id, attempt, payload, maxLen)
  elseif kind == 'retry' then
    codes[i] = retry(base, id, attempt, payload, ARGV[at + 5], tonumber(ARGV[at + 4]), now, maxLen)
  elseif kind == 'fail' then
    codes[i] = fail(base, id, attempt, payload, ARGV[at + 5], deadTtl, now, maxLen)
  else
    codes[i] = release(base, id, attempt, maxLen)
  end
  if isRepeat and codes[i] < 0 then
    codes[i] = repeatedOutcome(base, id, attempt, kind, codes[i])
  end
end

local function promoteDue(queue)
  local delayedKey = queueKey(base, queue, QUEUE_DELAYED)
  local due = redis.call('ZRANGEBYSCORE', delayedKey, '-inf', now, 'LIMIT', 0, PROMOTE_BATCH)
  for _, id in ipairs(due) do
    redis.call('ZREM', delayedKey, id)
    local key = taskKey(base, id)
    local priority = redis.call('HGET', key, F_PRIORITY)
    if priority then
      pushReady(base, queue, id, priority, false)
    elseif redis.call('EXISTS', key) == 1 then
      quarantine(base, queue, key, id, 'its record has no priority', deadTtl, now, maxLen)
    end
  end
end

-- `leases` gathers score/id pairs: one ZADD per queue and call writes them, not one per task.
local function start(queue, id, leases)
  local key = taskKey(base, id)
  local t = redis.call('HMGET', key, F_STATUS, F_NAME, F_ARGS, F_ATTEMPT, F_FAILURES, F_OPTIONS,
    F_METADATA, F_HISTORY, F_CREATEDAT, F_PREVIOUS, F_PREVIOUSERROR, F_JOINED, F_LOCK, F_LIMIT)
  -- Lazily skip entries whose task expired, was cancelled or is no longer waiting.
  if t[1] ~= 'submitted' and t[1] ~= 'retrying' then
    return nil
  end
  if not t[2] or not t[3] or (t[4] and not tonumber(t[4])) then
    quarantine(base, queue, key, id, 'its record lacks a name or arguments, or has a bad attempt',
      deadTtl, now, maxLen)
    return nil
  end
  if (t[13] or t[14]) and not enterGates(base, id, t[2], t[13], t[14]) then
    return nil
  end
  local attempt = (tonumber(t[4]) or 0) + 1
  leases[#leases + 1] = now + leaseMs
  leases[#leases + 1] = id
  recordStatus(base, key, id, t[2], queue, 'running', attempt, maxLen,
    { fields = { F_ATTEMPT, attempt }, past = { t[8], t[9] } })
  return { id, t[2], queue, t[3], attempt, t[5] or '0', t[6] or '', t[7] or '', t[10] or '',
    t[11] or '', t[12] or '' }
end

-- A paused queue is left alone: nothing promoted or claimed, no wake-up passed on (that would
-- wake idle workers for nothing, over and over), and its delayed tasks set no timer.
local queues = {}
for i = 7 + outcomeCount * OUTCOME_FIELDS, #ARGV do
  if redis.call('EXISTS', queueKey(base, ARGV[i], QUEUE_PAUSED)) == 0 then
    queues[#queues + 1] = ARGV[i]
  end
end

local reply = { codes, -1, takeHandoffs() }
local claimed = 0
local nextDueAt = -1
for _, queue in ipairs(queues) do
  promoteDue(queue)
  local prioritiesKey = queueKey(base, queue, QUEUE_PRIORITIES)
  local leases = {}
  while claimed < wanted do
    local priority = redis.call('ZRANGE', prioritiesKey, 0, 0)[1]
    if not priority then
      break
    end
    local asked = wanted - claimed
    local ids = redis.call('LPOP', readyKey(base, queue, priority), asked)
    if not ids or #ids < asked then
      -- The list is empty now (LPOP deleted it): this priority has no waiting task left.
      redis.call('ZREM', prioritiesKey, priority)
    end
    for _, id in ipairs(ids or {}) do
      local task = start(queue, id, leases)
      if task then
        reply[#reply + 1] = task
        claimed = claimed + 1
      end
    end
  end
  callBatched('ZADD', queueKey(base, queue, QUEUE_LEASES), leases)
  -- Work left behind: pass the wake-up on to another idle worker.
  if wanted > 0 and redis.call('ZCARD', prioritiesKey) > 0 then
    wake(base, queue)
  end
  local first = redis.call('ZRANGE', queueKey(base, queue, QUEUE_DELAYED), 0, 0, 'WITHSCORES')
  if first[2] and (nextDueAt == -1 or tonumber(first[2]) < nextDueAt) then
    nextDueAt = tonumber(first[2])
  end
end
reply[2] = nextDueAt == -1 and -1 or math.max(0, nextDueAt - now)
return reply
