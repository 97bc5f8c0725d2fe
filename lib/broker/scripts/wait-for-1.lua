-- Records that task ARGV[2] waits for the tasks ARGV[3..] (pynenc's waiting_for), unless that
-- closes a cycle: a task that, through the tasks it waits for, waits for the waiter itself
-- would never end. The walk follows the recorded waits (F_WAITINGFOR) of every task reached.
-- In the 'queue' layout the tasks may be in other slots, which no script may read: the client
-- walks the graph (lib/broker/wait-graph.ts) and this only records the wait, with the slot of
-- each task waited for (F_WAITINGSLOTS), so that later walks can follow it.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  the waiting task's id
-- ARGV[3]  '': walk here; else the JSON array of the waited-for tasks' slot bases (record only)
-- ARGV[4..] the ids it waits for
-- Returns  { CODE.DONE } recorded, or { CODE.CYCLE, id, ... } the cycle found, from the waiter
--          back to it
--@include keys

local base, waiter, slots = ARGV[1], ARGV[2], ARGV[3]
local MAX_VISITS = 10000

local targets = {}
for i = 4, #ARGV do targets[#targets + 1] = ARGV[i] end
if slots ~= '' then
  redis.call('HSET', taskKey(base, waiter), F_WAITINGFOR,
    cjson.encode(targets), F_WAITINGSLOTS, slots)
  return { CODE.DONE }
end

-- Depth-first, remembering the path, so the cycle can be reported.
local visited, visits = {}, 0
local function reaches(id, path)
  if id == waiter then return path end
  if visited[id] or visits >= MAX_VISITS then return nil end
  visited[id] = true
  visits = visits + 1
  local waits = redis.call('HGET', taskKey(base, id), F_WAITINGFOR)
  if not waits then return nil end
  for _, next in ipairs(cjson.decode(waits)) do
    path[#path + 1] = next
    local found = reaches(next, path)
    if found then return found end
    path[#path] = nil
  end
  return nil
end

for _, target in ipairs(targets) do
  local cycle = reaches(target, { waiter, target })
  if cycle then
    local reply = { CODE.CYCLE }
    for _, id in ipairs(cycle) do reply[#reply + 1] = id end
    return reply
  end
end
redis.call('HSET', taskKey(base, waiter), F_WAITINGFOR, cjson.encode(targets))
return { CODE.DONE }
