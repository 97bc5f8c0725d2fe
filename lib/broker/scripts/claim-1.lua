-- Claims up to `count` tasks for a worker: promotes due delayed tasks, pops the lowest priority
-- first (FIFO within a priority), marks each RUNNING under a lease and a new attempt number.
-- KEYS[1]  the prefix's queues set (routes the call on Cluster)
-- ARGV[1]  key base    ARGV[2]  events MAXLEN    ARGV[3]  count    ARGV[4]  lease ms
-- ARGV[5..] queue names, tried in order
-- Returns  { nextDueIn, claimed... } where nextDueIn is how many ms until the earliest delayed
--          task of these queues is due (-1 when none) and each claimed task is
--          { id, name, queue, args, attempt, failures, retries, backoff, timeout, metadata }
--@include common

local base, maxLen, wanted, leaseMs = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local now = nowMs()
local PROMOTE_BATCH = 1000

local function promoteDue(queue)
  local delayedKey = queueKey(base, queue, QUEUE_DELAYED)
  local due = redis.call('ZRANGEBYSCORE', delayedKey, '-inf', now, 'LIMIT', 0, PROMOTE_BATCH)
  for _, id in ipairs(due) do
    redis.call('ZREM', delayedKey, id)
    local key = taskKey(base, id)
    local priority = redis.call('HGET', key, 'priority')
    if priority then
      makeReady(base, queue, key, id, priority)
    end
  end
end

local function start(queue, id)
  local key = taskKey(base, id)
  local status = redis.call('HGET', key, 'status')
  -- Lazily skip entries whose task expired, was removed or is no longer waiting.
  if status ~= 'submitted' and status ~= 'retrying' then
    return nil
  end
  local attempt = redis.call('HINCRBY', key, 'attempt', 1)
  redis.call('ZADD', queueKey(base, queue, QUEUE_LEASES), now + leaseMs, id)
  recordStatus(base, key, id, 'running', attempt, now, maxLen)
  local t = redis.call('HMGET', key, 'name', 'args', 'failures', 'retries', 'backoff',
    'timeout', 'metadata')
  return { id, t[1], queue, t[2], attempt, t[3], t[4], t[5], t[6], t[7] }
end

local reply = { -1 }
local claimed = 0
local nextDueAt = -1
for i = 5, #ARGV do
  local queue = ARGV[i]
  promoteDue(queue)
  local readyKey = queueKey(base, queue, QUEUE_READY)
  while claimed < wanted do
    local popped = redis.call('ZPOPMIN', readyKey, wanted - claimed)
    if #popped == 0 then
      break
    end
    for j = 1, #popped, 2 do
      local task = start(queue, idOfReadyMember(popped[j]))
      if task then
        reply[#reply + 1] = task
        claimed = claimed + 1
      end
    end
  end
  -- Work left behind: pass the wake-up on to another idle worker.
  if redis.call('ZCARD', readyKey) > 0 then
    wake(base, queue)
  end
  local first = redis.call('ZRANGE', queueKey(base, queue, QUEUE_DELAYED), 0, 0, 'WITHSCORES')
  if first[2] and (nextDueAt == -1 or tonumber(first[2]) < nextDueAt) then
    nextDueAt = tonumber(first[2])
  end
end
reply[1] = nextDueAt == -1 and -1 or math.max(0, nextDueAt - now)
return reply
