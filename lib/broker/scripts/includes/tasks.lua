-- Writing a new task, shared by enqueue and by the firing of schedules.

-- Registers a queue the first time a task goes to it (readers of all queues learn of it from
-- the queue log). `seen` remembers the queues of this call.
local function registerQueue(base, queuesKey, queue, seen)
  if seen[queue] then return end
  seen[queue] = true
  if redis.call('SADD', queuesKey, queue) == 1 then
    redis.call('XADD', base .. ':' .. FAMILY_QUEUELOG, '*', 'queue', queue)
  end
end

-- Writes task `id` as SUBMITTED: its hash, its place (ready list, or delayed until `dueAt`;
-- none when `dueAt` is nil: a chain step waiting for its predecessor) and its event. `t` holds name, queue, args, priority and the optional options, resultTtl and
-- metadata ('' or nil when absent: most tasks use the defaults, and absent fields cost nothing).
local function writeTask(base, maxLen, now, id, t, dueAt)
  if dueAt == nil then
    -- Parked: whoever releases it places it.
  elseif dueAt > now then
    addDelayed(base, t.queue, id, dueAt, now)
  else
    pushReady(base, t.queue, id, t.priority, false)
  end
  -- SUBMITTED is not in the history field: history() derives it from createdAt.
  local eventId = redis.call('XADD', queueKey(base, t.queue, QUEUE_EVENTS), 'MAXLEN', '~', maxLen,
    '*', 'id', id, 'task', t.name, 'status', 'submitted', 'attempt', 0)
  local fields = { F_NAME, t.name, F_QUEUE, t.queue, F_ARGS, t.args, F_PRIORITY, t.priority,
    F_CREATEDAT, now, F_STATUS, 'submitted', F_EVENTID, eventId }
  for field, value in pairs({ [F_OPTIONS] = t.options, [F_RESULTTTL] = t.resultTtl,
                              [F_METADATA] = t.metadata, [F_LOCK] = t.lock,
                              [F_LIMIT] = t.limit }) do
    if value and value ~= '' then
      fields[#fields + 1] = field
      fields[#fields + 1] = value
    end
  end
  redis.call('HSET', taskKey(base, id), unpack(fields))
end

-- True when one of `count` ids (`idOf(i)`) is taken: a workflow is written all or nothing.
local function anyIdTaken(base, count, idOf)
  for i = 1, count do
    if redis.call('EXISTS', taskKey(base, idOf(i))) == 1 then return true end
  end
  return false
end

-- The task whose enqueue fields (newTaskArguments' layout: id first) start at ARGV[at].
local function taskFromArgv(at)
  return {
    queue = ARGV[at + 1], name = ARGV[at + 2], args = ARGV[at + 3], priority = ARGV[at + 4],
    options = ARGV[at + 7], resultTtl = ARGV[at + 8], metadata = ARGV[at + 9],
    lock = ARGV[at + 11], limit = ARGV[at + 12],
  }
end

-- When that task is due: its runAt, else now plus its delay.
local function dueAtFromArgv(at, now)
  local runAt = tonumber(ARGV[at + 6])
  return runAt > 0 and runAt or now + tonumber(ARGV[at + 5])
end
