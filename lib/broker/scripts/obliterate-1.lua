-- Deletes one batch of everything a queue holds. The first call that finds no running task
-- (or is forced) pauses the queue, so no run starts while the batches go on. Each call first
-- empties the queue's structures (ready lists, delayed, leases, dead letters), deleting their
-- task records, then examines one SCAN page of task records for finished tasks of the queue.
-- When a pass over the records ends with the structures empty, it deletes the queue's
-- remaining keys and, on the prefix's slot ('prefix' layout), forgets the queue. In the 'queue'
-- layout the script runs on each shard's slot, and the client forgets the queue in the prefix's
-- registry once every shard is done (queue-obliteration.ts).
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue   ARGV[3]  batch size   ARGV[4]  '1' force
-- ARGV[5]  SCAN cursor ('0' to start the pass). Batch size 0: only the running check and the
--          pause (the client halts every shard so before it deletes anything)
-- Returns  { CODE.UNKNOWN_QUEUE }; { CODE.QUEUE_BUSY, running tasks } refused;
--          { CODE.MORE, deleted, cursor } more to do; { CODE.DONE, deleted } done (deleted: task
--          records deleted by this call)
--@include common
--@include admin

local base, queue, limit, force, cursor = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
if not isKnownQueue(base, queue) then
  return { CODE.UNKNOWN_QUEUE }
end
local leasesKey = queueKey(base, queue, QUEUE_LEASES)
local running = redis.call('ZCARD', leasesKey)
if running > 0 and force ~= '1' then
  return { CODE.QUEUE_BUSY, running }
end
redis.call('SET', queueKey(base, queue, QUEUE_PAUSED), '1')

local deleted = 0
-- A record is deleted only when it still belongs to this queue: an id can outlive its entry.
local function deleteIfOurs(key)
  if redis.pcall('HGET', key, F_QUEUE) == queue then
    deleted = deleted + redis.call('DEL', key)
  end
end

local ids = popReady(base, queue, limit)
for _, kind in ipairs({ QUEUE_DELAYED, QUEUE_LEASES, QUEUE_DEAD }) do
  popSorted(queueKey(base, queue, kind), limit - #ids, ids)
end
for _, id in ipairs(ids) do
  deleteIfOurs(taskKey(base, id))
end
if #ids == limit then
  return { CODE.MORE, deleted, cursor }
end

-- Finished tasks sit in no structure: find them among the task records.
local page = redis.call('SCAN', cursor, 'MATCH', taskKeyPattern(base), 'COUNT', limit)
for _, key in ipairs(page[2]) do
  deleteIfOurs(key)
end
if page[1] ~= '0' then
  return { CODE.MORE, deleted, page[1] }
end
redis.call('DEL', queueKey(base, queue, QUEUE_PRIORITIES), queueKey(base, queue, QUEUE_DELAYED),
  leasesKey, queueKey(base, queue, QUEUE_DEAD), queueKey(base, queue, QUEUE_EVENTS),
  queueKey(base, queue, QUEUE_WAKE), queueKey(base, queue, QUEUE_PAUSED),
  queueKey(base, queue, QUEUE_STARTS), queueKey(base, queue, QUEUE_LIMITED),
  queueKey(base, queue, QUEUE_GROUPS), queueKey(base, queue, QUEUE_GROUPSWAITING),
  namedKey(base, FAMILY_SWEEPLOCK, queue))
if isPrefixSlot(base) then
  redis.call('SREM', prefixKey(base, FAMILY_QUEUES), queue)
end
return { CODE.DONE, deleted }
