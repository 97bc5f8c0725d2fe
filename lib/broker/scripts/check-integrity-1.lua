-- The integrity scanner's checks (Alsek's StatusTrackerIntegrityScanner), on the task records
-- one SCAN page found in this slot: finds tasks whose status says they will run but that no
-- queue structure holds, so no worker would ever run them, e.g. after keys were evicted (a
-- maxmemory-policy other than noeviction), lost in a failover or deleted by hand:
--   * SUBMITTED or RETRYING, but neither delayed nor in its priority's ready list;
--   * RUNNING without a lease.
-- Each fails with an IntegrityError and goes to the dead-letter set (requeueDead() runs it
-- again). A ready list whose priority is not registered (no claim would look at it) is
-- registered again. Checking a record twice changes nothing (a failed task is no longer
-- waiting or running), so a page scanned again after a crash is harmless.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  dead-letter TTL ms
-- ARGV[4..] ids of task records of this slot
-- Returns  the ids failed
--@include common

local base, maxLen, deadTtl = ARGV[1], ARGV[2], tonumber(ARGV[3])
-- A ready list longer than this is not searched (LPOS is linear): its tasks count as present.
local LPOS_LIMIT = 10000
local now = nowMs()
local failed = {}

-- Where a waiting task should be: delayed, or in its priority's ready list (registered), its
-- group's (`group`: its key, or nil) when it has one.
local function waitingProblem(queue, group, id, priority)
  if redis.call('ZSCORE', queueKey(base, queue, QUEUE_DELAYED), id) then return nil end
  local lane = group and groupLane(queue, group) or queue
  local list = readyKey(base, lane, priority)
  local length = redis.call('LLEN', list)
  if length == 0 or (length <= LPOS_LIMIT and not redis.call('LPOS', list, id)) then
    return 'it is neither delayed nor in its queue'
  end
  local priorities = queueKey(base, lane, QUEUE_PRIORITIES)
  if not redis.call('ZSCORE', priorities, priority) then
    redis.call('ZADD', priorities, priority, priority)
    if group then joinRotation(base, queue, group) end
    redis.call('LPUSH', queueKey(base, queue, QUEUE_WAKE), '1')
  end
  return nil
end

for i = 4, #ARGV do
  local id = ARGV[i]
  local key = taskKey(base, id)
  -- Anything under our prefix that is not a task record is someone else's: left alone (and a
  -- record gone since the SCAN is nothing to check).
  local t = redis.call('TYPE', key).ok == 'hash'
    and redis.call('HMGET', key, F_STATUS, F_QUEUE, F_PRIORITY, F_NAME, F_ATTEMPT, F_RESULTTTL,
      F_AFTER, F_PARKED, F_HELD, F_GROUP)
    or {}
  local status, queue, priority = t[1], t[2], t[3]
  local problem
  if queue and priority and t[4] then
    if status == 'running' then
      if not redis.call('ZSCORE', queueKey(base, queue, QUEUE_LEASES), id) then
        problem = 'it was RUNNING without a lease'
      end
    elseif (status == 'submitted' or status == 'retrying') and not t[7] and not t[8]
      and not t[9] then
      -- (A chain step parked behind its predecessor, a task parked at a full gate, or one
      -- held aside by a claim is in no queue by design.)
      problem = waitingProblem(queue, t[10], id, priority)
    end
  end
  if problem then
    failToDeadLetters(base, queue, key, id,
      { name = t[4], attempt = t[5] or 0, resultTtl = t[6] }, ERROR_NAME.INTEGRITY,
      problem .. ', so no worker would ever have run it; requeue it from the dead-letter set '
        .. 'to run it again', deadTtl, now, maxLen)
    failed[#failed + 1] = id
  end
end
return failed
