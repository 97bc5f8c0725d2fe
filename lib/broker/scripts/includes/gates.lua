-- Gates: a task with a lock (F_LOCK) or a task name with a concurrency limit (F_LIMIT) runs
-- only when its gates have room: a set per gate holds the ids running through it. A task that
-- finds a gate full when claimed is parked on that gate's wait list (F_PARKED), in no queue and
-- in no worker slot; each run that leaves the gate sends the first parked task back to the
-- head of its ready list. Runs leave their gates wherever a run ends (outcomes, the lease
-- sweep), so a crashed worker's place is given back with its lease.
--@include common

-- The gates of a task: { { name, limit }, … } (a lock's holds 1, a task name's holds N).
local function gatesOf(name, lockName, limit)
  local gates = {}
  if lockName then gates[#gates + 1] = { lockGate(lockName), 1 } end
  if limit then gates[#gates + 1] = { taskGate(name), tonumber(limit) } end
  return gates
end

-- A task about to start passes all its gates, or none: true when it may run; otherwise it is
-- parked on the first full gate.
local function enterGates(base, id, name, lockName, limit)
  local gates = gatesOf(name, lockName, limit)
  for _, gate in ipairs(gates) do
    local key = namedKey(base, FAMILY_GATE, gate[1])
    if redis.call('SISMEMBER', key, id) == 0 and redis.call('SCARD', key) >= gate[2] then
      redis.call('RPUSH', namedKey(base, FAMILY_GATEWAIT, gate[1]), id)
      redis.call('SADD', slotKey(base, FAMILY_GATEWAITS), gate[1])
      redis.call('HSET', taskKey(base, id), F_PARKED, gate[1])
      return false
    end
  end
  for _, gate in ipairs(gates) do
    redis.call('SADD', namedKey(base, FAMILY_GATE, gate[1]), id)
  end
  return true
end

-- A gate's wait list lost an entry: once empty, the gate leaves the slot's index of gates with
-- parked tasks (FAMILY_GATEWAITS), which thus never outgrows the gates that have waiters.
local function forgetEmptyWait(base, gate, waitKey)
  if redis.call('LLEN', waitKey) == 0 then
    redis.call('SREM', slotKey(base, FAMILY_GATEWAITS), gate)
  end
end

-- A run ended: it leaves its gates, and the first task parked on each goes back to its queue.
local function leaveGates(base, id, name, lockName, limit)
  for _, gate in ipairs(gatesOf(name, lockName, limit)) do
    if redis.call('SREM', namedKey(base, FAMILY_GATE, gate[1]), id) == 1 then
      local waitKey = namedKey(base, FAMILY_GATEWAIT, gate[1])
      local popped = false
      while true do
        local parked = redis.call('LPOP', waitKey)
        if not parked then break end
        popped = true
        local key = taskKey(base, parked)
        local t = redis.call('HMGET', key, F_STATUS, F_PARKED, F_QUEUE, F_PRIORITY)
        -- Stale entries (cancelled, expired) are dropped on the way.
        if (t[1] == 'submitted' or t[1] == 'retrying') and t[2] == gate[1] then
          redis.call('HDEL', key, F_PARKED)
          pushReady(base, t[3], parked, t[4], true)
          wake(base, t[3])
          break
        end
      end
      -- Nothing popped: the list was empty, so the index does not hold the gate.
      if popped then forgetEmptyWait(base, gate[1], waitKey) end
    end
  end
end
