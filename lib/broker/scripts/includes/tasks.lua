-- Writing a new task, shared by enqueue and by the firing of schedules.
--@include common

-- Registers a queue the first time a task goes to it (readers of all queues learn of it from
-- the queue log), when this script runs on the prefix's slot ('prefix' layout); in the 'queue'
-- layout the registry is in another slot, and the client registers the queue before its first
-- enqueue. `seen` remembers the queues of this call.
local function registerQueue(base, queue, seen)
  if seen[queue] then return end
  seen[queue] = true
  if not isPrefixSlot(base) then return end
  if redis.call('SADD', prefixKey(base, FAMILY_QUEUES), queue) == 1 then
    redis.call('XADD', prefixKey(base, FAMILY_QUEUELOG), '*', 'queue', queue)
  end
end

-- Writes task `id` as SUBMITTED: its hash, its place (ready list, or delayed until `dueAt`;
-- none when `dueAt` is nil: a chain step waiting for its predecessor) and its event. `t` holds
-- name, queue, args, priority and the optional options, resultTtl, metadata, lock, limit and
-- trace ('' or nil when absent: most tasks use the defaults, and absent fields cost nothing).
local function writeTask(base, maxLen, now, id, t, dueAt)
  if dueAt == nil then
    -- Parked: whoever releases it places it.
  elseif dueAt > now then
    addDelayed(base, t.queue, id, dueAt, now)
  else
    pushReady(base, t.queue, id, t.priority, false, t.group ~= '' and t.group)
  end
  -- SUBMITTED is not in the history field: history() derives it from createdAt.
  local eventId = redis.call('XADD', queueKey(base, t.queue, QUEUE_EVENTS), 'MAXLEN', '~', maxLen,
    '*', 'id', id, 'task', t.name, 'status', 'submitted', 'attempt', 0)
  ring(base, FAMILY_EVENTSBELL)
  local fields = { F_NAME, t.name, F_QUEUE, t.queue, F_ARGS, t.args, F_PRIORITY, t.priority,
    F_CREATEDAT, now, F_STATUS, 'submitted', F_EVENTID, eventId }
  for field, value in pairs({ [F_OPTIONS] = t.options, [F_RESULTTTL] = t.resultTtl,
                              [F_METADATA] = t.metadata, [F_LOCK] = t.lock,
                              [F_LIMIT] = t.limit, [F_GROUP] = t.group,
                              [F_TRACE] = t.trace }) do
    if value and value ~= '' then
      fields[#fields + 1] = field
      fields[#fields + 1] = value
    end
  end
  redis.call('HSET', taskKey(base, id), unpack(fields))
end

-- The caller of an enqueue stops waiting at `deadline` (server clock, epoch ms; see
-- server-clock.ts) and is told the call failed: past it, writing would create tasks the caller
-- believes were not written, e.g. when a frozen server wakes up or ioredis sends the call again
-- after a reconnect. So such a call writes nothing.
local function pastDeadline(deadline, now)
  return now > tonumber(deadline)
end

-- The DEFINITION_BIT mask of what differs between two tasks (0: the same definition).
local function diffBits(sameName, sameQueue, sameArgs)
  return (sameName and 0 or DEFINITION_BIT.TASK_NAME) + (sameQueue and 0 or DEFINITION_BIT.QUEUE)
    + (sameArgs and 0 or DEFINITION_BIT.ARGUMENTS)
end

-- What differs between the task record `key` and a new task (diffBits; the arguments
-- serialised).
local function definitionDiff(key, name, queue, args)
  local t = redis.call('HMGET', key, F_NAME, F_QUEUE, F_ARGS)
  return diffBits(t[1] == name, t[2] == queue, t[3] == args)
end

-- Whether a workflow's `count` ids (its tasks' fields start at `at(i)`) are taken: nil when all
-- are free, CODE.ID_TAKEN when one is, CODE.SENT_AGAIN when the first is held by a task of the
-- same definition. Workflow ids are random, so that holder is this very call, written once
-- already and sent again by ioredis after a reconnect: it is answered like the first time.
local function workflowIdsTaken(base, count, at)
  for i = 1, count do
    local key = taskKey(base, ARGV[at(i)])
    if redis.call('EXISTS', key) == 1 then
      local first = at(1)
      if i == 1 and definitionDiff(key, ARGV[first + 2], ARGV[first + 1], ARGV[first + 3]) == 0 then
        return CODE.SENT_AGAIN
      end
      return CODE.ID_TAKEN
    end
  end
  return nil
end

-- The task whose enqueue fields (newTaskArguments' layout: id first) start at ARGV[at].
local function taskFromArgv(at)
  return {
    queue = ARGV[at + 1], name = ARGV[at + 2], args = ARGV[at + 3], priority = ARGV[at + 4],
    options = ARGV[at + 7], resultTtl = ARGV[at + 8], metadata = ARGV[at + 9],
    lock = ARGV[at + 11], limit = ARGV[at + 12], group = ARGV[at + 13],
    trace = ARGV[at + 14], debounce = ARGV[at + 15],
  }
end

-- When that task is due: its runAt, else now plus its delay.
local function dueAtFromArgv(at, now)
  local runAt = tonumber(ARGV[at + 6])
  return runAt > 0 and runAt or now + tonumber(ARGV[at + 5])
end
