-- Takes back the tasks whose lease expired (their worker died or hung): each goes back to the
-- head of its priority's list as SUBMITTED, so any worker runs it again; a task taken back
-- more than `maxReclaims` times fails as poisonous instead of killing workers forever.
-- Each queue is swept at most once per `interval` across all workers (a lock per queue).
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  max reclaims   ARGV[4]  sweep interval ms
-- ARGV[5]  dead-letter TTL ms   ARGV[6..] queue names
-- Returns  { reclaimed ids... , '|', failed ids..., '|', handoffs... } (queues swept lately by
--          others are skipped; handoffs: those the ended workflow members wrote, see chains.lua)
--@allow-oom
--@include common
--@include gates
--@include limits
--@include chains
--@include workflows

local base, maxLen, maxReclaims = ARGV[1], ARGV[2], tonumber(ARGV[3])
local interval, deadTtl = ARGV[4], tonumber(ARGV[5])
local now = nowMs()
local BATCH = 1000
local reclaimed, failed = {}, {}
handoffsBegin()

for i = 6, #ARGV do
  local queue = ARGV[i]
  local lock = namedKey(base, FAMILY_SWEEPLOCK, queue)
  local expired = {}
  if redis.call('SET', lock, '1', 'NX', 'PX', interval) then
    expired = redis.call('ZRANGEBYSCORE', queueKey(base, queue, QUEUE_LEASES), '-inf', now,
      'LIMIT', 0, BATCH)
  end
  local leasesKey = queueKey(base, queue, QUEUE_LEASES)
  -- Newest lease first: each goes to the head of its list, so the oldest ends up first.
  for j = #expired, 1, -1 do
    local id = expired[j]
    redis.call('ZREM', leasesKey, id)
    local key = taskKey(base, id)
    local t = redis.call('HMGET', key, F_STATUS, F_ATTEMPT, F_NAME, F_PRIORITY, F_RESULTTTL,
      F_RECLAIMS, F_CANCEL, F_NEXT, F_CONTINUEONFAILURE, F_CHORD, F_CHORDINDEX, F_LOCK, F_LIMIT,
      F_GROUP)
    -- Only a task still running under that lease; anything else was a stale entry.
    if t[1] == 'running' and (not t[3] or not t[4] or (t[2] and not tonumber(t[2]))) then
      quarantine(base, queue, key, id, 'its record lacks a name or priority, or has a bad attempt',
        deadTtl, now, maxLen)
      failed[#failed + 1] = id
    elseif t[1] == 'running' then
      -- Its run is over: its place in its gates goes to the next parked task.
      if t[12] or t[13] then leaveGates(base, id, t[3], t[12], t[13]) end
      if t[14] then flow.groupRunEnded(base, queue, id, t[14]) end
      local attempt, name, priority = t[2], t[3], t[4]
      local reclaims = (tonumber(t[6]) or 0) + 1
      if t[7] then
        recordStatus(base, key, id, name, queue, 'cancelled', attempt, maxLen)
        expireFinished(key, t[5] or DEFAULT_RESULT_TTL)
        workflowAfterEnd(base, id, name, t, 8, 'cancelled', nil, maxLen)
      elseif reclaims > maxReclaims then
        local message = 'its worker stopped (crashed, was killed or hung past its lease) '
          .. reclaims .. ' times; it fails as poisonous instead of being run again'
        failToDeadLetters(base, queue, key, id,
          { name = name, attempt = attempt, resultTtl = t[5] }, ERROR_NAME.POISON_TASK, message,
          deadTtl, now, maxLen, { F_RECLAIMS, reclaims })
        workflowAfterEnd(base, id, name, t, 8, 'failed',
          cjson.encode({ name = ERROR_NAME.POISON_TASK, message = message }), maxLen)
        failed[#failed + 1] = id
      else
        pushReady(base, queue, id, priority, true)
        recordStatus(base, key, id, name, queue, 'submitted', attempt, maxLen,
          { fields = { F_RECLAIMS, reclaims } })
        wake(base, queue)
        reclaimed[#reclaimed + 1] = id
      end
    end
  end
  -- The places the expired runs held under the queue's concurrency limit are free again.
  if #expired > 0 then flow.runEnded(base, queue) end
end
reclaimed[#reclaimed + 1] = '|'
for _, id in ipairs(failed) do
  reclaimed[#reclaimed + 1] = id
end
reclaimed[#reclaimed + 1] = '|'
for _, handoff in ipairs(takeHandoffs()) do
  reclaimed[#reclaimed + 1] = handoff
end
return reclaimed
