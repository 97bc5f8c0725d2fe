-- Helpers of the queue control and inspection scripts. None of them is on a task's path:
-- they may walk a queue's priorities.
--@include common

-- A queue is known once a task was enqueued to it (it is then in the prefix's queues set). In
-- the 'prefix' layout the set is in this script's slot: checked here, atomically with what the
-- script does. In the 'queue' layout it is in another slot, which a script on a queue shard must
-- not touch: the client checked it before the call (queue-registry.ts), so this says yes.
local function isKnownQueue(base, queue)
  if not isPrefixSlot(base) then
    return true
  end
  return redis.call('SISMEMBER', prefixKey(base, FAMILY_QUEUES), queue) == 1
end

-- The queue's ready lists in claim order: lowest priority first.
local function readyLists(base, queue)
  local lists = {}
  for _, priority in ipairs(redis.call('ZRANGE', queueKey(base, queue, QUEUE_PRIORITIES), 0, -1))
  do
    lists[#lists + 1] = { priority = priority, key = readyKey(base, queue, priority) }
  end
  return lists
end

-- The held lists of a queue (includes/limits.lua): { name, key } per task name held aside.
local function heldLists(base, queue)
  local lists = {}
  for _, name in ipairs(redis.call('ZRANGE', queueKey(base, queue, QUEUE_HELDNAMES), 0, -1)) do
    lists[#lists + 1] = { name = name, key = queueKey(base, queue, QUEUE_HELD) .. ':' .. name }
  end
  return lists
end

-- The lanes (pseudo-queues, includes/common.lua) of the queue's groups that have ready tasks:
-- those in the rotation and those waiting for their limits. O(groups): admin calls only.
local function groupLanes(base, queue)
  local seen, lanes = {}, {}
  local groups = redis.call('LRANGE', queueKey(base, queue, QUEUE_GROUPS), 0, -1)
  for _, group in ipairs(redis.call('ZRANGE', queueKey(base, queue, QUEUE_GROUPSWAITING), 0, -1)) do
    groups[#groups + 1] = group
  end
  for _, group in ipairs(groups) do
    if group ~= '' and not seen[group] then
      seen[group] = true
      lanes[#lanes + 1] = groupLane(queue, group)
    end
  end
  return lanes
end

-- The ready lists of the queue and of its groups' lanes: { priority, key, lane }.
local function everyReadyList(base, queue)
  local lists = readyLists(base, queue)
  for _, lane in ipairs(groupLanes(base, queue)) do
    for _, list in ipairs(readyLists(base, lane)) do
      lists[#lists + 1] = { priority = list.priority, key = list.key, lane = lane }
    end
  end
  return lists
end

-- Pops ids from the heads of `lists` ({ key, … }, in order) into `ids` until it holds `count`;
-- `emptied(list)` is called for each list this empties.
local function popLists(lists, count, ids, emptied)
  for _, list in ipairs(lists) do
    local asked = count - #ids
    if asked <= 0 then
      break
    end
    local popped = redis.call('LPOP', list.key, asked)
    if not popped or #popped < asked then
      emptied(list)
    end
    for _, id in ipairs(popped or {}) do
      ids[#ids + 1] = id
    end
  end
end

-- Takes up to `count` ids: from the held lists, then the heads of the ready lists in claim
-- order (the queue's, then its groups'). A held name or priority whose list this empties is
-- unregistered, as a claim would do.
local function popReady(base, queue, count)
  local ids = {}
  popLists(heldLists(base, queue), count, ids, function(list)
    redis.call('ZREM', queueKey(base, queue, QUEUE_HELDNAMES), list.name)
  end)
  popLists(everyReadyList(base, queue), count, ids, function(list)
    redis.call('ZREM', queueKey(base, list.lane or queue, QUEUE_PRIORITIES), list.priority)
  end)
  return ids
end

-- Takes up to `count` members of a sorted set, lowest score first, and appends them to `ids`.
local function popSorted(key, count, ids)
  if count <= 0 then
    return ids
  end
  local popped = redis.call('ZPOPMIN', key, count)
  for i = 1, #popped, 2 do
    ids[#ids + 1] = popped[i]
  end
  return ids
end
