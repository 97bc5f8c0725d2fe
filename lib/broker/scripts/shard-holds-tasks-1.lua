-- Where one shard of a queue holds a task that a claim, the lease sweep or a due time would
-- still reach: ready (its own lists and its groups' lanes, in the rotation or waiting for their
-- limits), held aside for its handler or rate limit, delayed, running, failed, parked at a full
-- gate, or in a batch staged in the slot and not yet released. Read only, one slot:
-- ShardSettings asks every shard of the queue before it changes the queue's shard count.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue name
-- Returns  '' when the shard holds nothing, else the first kind found: 'waiting', 'held',
--          'delayed', 'running', 'dead', 'parked' or 'staged'
--@include common
--@include admin

local base, queue = ARGV[1], ARGV[2]

for _, list in ipairs(everyReadyList(base, queue)) do
  if redis.call('LLEN', list.key) > 0 then return 'waiting' end
end
for _, list in ipairs(heldLists(base, queue)) do
  if redis.call('LLEN', list.key) > 0 then return 'held' end
end
for _, set in ipairs({ { 'delayed', QUEUE_DELAYED }, { 'running', QUEUE_LEASES }, { 'dead', QUEUE_DEAD } }) do
  if redis.call('ZCARD', queueKey(base, queue, set[2])) > 0 then return set[1] end
end

-- A wait list keeps stale entries (tasks cancelled or expired while parked) until a run
-- leaving the gate drops them: only a live task of this queue, still parked there, counts.
local CHUNK = 100
for _, gate in ipairs(redis.call('SMEMBERS', slotKey(base, FAMILY_GATEWAITS))) do
  local waitKey = namedKey(base, FAMILY_GATEWAIT, gate)
  local from = 0
  while true do
    local ids = redis.call('LRANGE', waitKey, from, from + CHUNK - 1)
    for _, id in ipairs(ids) do
      local t = redis.call('HMGET', taskKey(base, id), F_STATUS, F_PARKED, F_QUEUE)
      if (t[1] == 'submitted' or t[1] == 'retrying') and t[2] == gate and t[3] == queue then
        return 'parked'
      end
    end
    if #ids < CHUNK then break end
    from = from + CHUNK
  end
end

-- Staged batches are the slot's, not a queue's: a queue sharing the slot (two queues whose
-- tags collide) may have written it, and then the answer errs on the side of refusing.
if redis.call('ZCARD', slotKey(base, FAMILY_STAGED)) > 0 then return 'staged' end
return ''
