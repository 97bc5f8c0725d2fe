-- Writes a batch of new tasks atomically: all of them, or none when an id is taken.
-- KEYS[1]  the prefix's queues set (also routes the call on Cluster)
-- ARGV[1]  key base `{prefix}`     ARGV[2]  events stream MAXLEN
-- ARGV[3]  number of tasks, then 12 fields per task:
--          id, queue, name, args, priority, delay ms, runAt epoch ms (0: none), retries,
--          backoff JSON, timeout ms (''), resultTtl ms, metadata JSON ('')
-- Returns  { 0 } on success, { -1, id } when `id` already exists (nothing written).
--@include common

local FIELDS = 12
local base, maxLen, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = nowMs()

for i = 0, count - 1 do
  local id = ARGV[4 + i * FIELDS]
  if redis.call('EXISTS', taskKey(base, id)) == 1 then
    return { -1, id }
  end
end

for i = 0, count - 1 do
  local at = 4 + i * FIELDS
  local id, queue, name, args = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  local priority, delay, runAt = ARGV[at + 4], tonumber(ARGV[at + 5]), tonumber(ARGV[at + 6])
  local key = taskKey(base, id)
  redis.call('HSET', key, 'name', name, 'queue', queue, 'args', args, 'priority', priority,
    'retries', ARGV[at + 7], 'backoff', ARGV[at + 8], 'timeout', ARGV[at + 9],
    'resultTtl', ARGV[at + 10], 'metadata', ARGV[at + 11], 'attempt', 0, 'failures', 0,
    'createdAt', now)
  if redis.call('SADD', KEYS[1], queue) == 1 then
    redis.call('XADD', base .. ':' .. FAMILY_QUEUELOG, '*', 'queue', queue)
  end
  local dueAt = runAt > 0 and runAt or now + delay
  if dueAt > now then
    redis.call('ZADD', queueKey(base, queue, QUEUE_DELAYED), dueAt, id)
  else
    makeReady(base, queue, key, id, priority)
  end
  recordStatus(base, key, id, 'submitted', 0, now, maxLen)
  wake(base, queue)
end
return { 0 }
