-- Debounce (EnqueueOptions.debounce): the enqueues of a burst (one debounce id, per task name
-- and queue) run as one task, due `delayMs` after the burst's last enqueue but no later than
-- `maxDelayMs` after its first, with the last enqueue's arguments. The burst's key
-- (QUEUE_DEBOUNCE, keys.lua debounceKey) names its pending task and when the burst began; an
-- enqueue that finds that task still waiting for its due time merges into it instead of
-- writing a task. Everything is kept in one table: the function library shares Lua's 200
-- locals.
--@include common

local debouncing = {
  -- How long a burst's key outlives its task's due time. From the due time on the task takes
  -- no merge (see pending), so the margin only keeps the key from expiring ahead of its task.
  KEY_MARGIN_MS = 1000,
}

-- The debounce an enqueue carries (newTaskArguments' encoding, `<delayMs>:<maxDelayMs>:<id>`,
-- the id last as it may hold ':'): { id, delayMs, maxDelayMs (nil: no cap) }, or nil for none.
function debouncing.parse(text)
  local delayMs, maxDelayMs, id = text:match('^(%d+):(%d*):(.+)$')
  if not id then return nil end
  return { id = id, delayMs = tonumber(delayMs), maxDelayMs = tonumber(maxDelayMs) }
end

-- The pending task of the burst whose key is `key`: its id and the burst's first enqueue time,
-- while it still waits for its due time (SUBMITTED, in its queue's delayed set, not due yet).
-- Nil when there is none: no key, or its task is due, ready, running, finished or gone. A
-- task past its due time ended its burst, even while no worker promoted it yet: an enqueue
-- then starts the next burst.
function debouncing.pending(base, key, queue, now)
  local firstAt, id = (redis.call('GET', key) or ''):match('^(%d+):(.+)$')
  if not id or redis.call('HGET', taskKey(base, id), F_STATUS) ~= 'submitted' then return nil end
  local dueAt = tonumber(redis.call('ZSCORE', queueKey(base, queue, QUEUE_DELAYED), id))
  if not dueAt or dueAt <= now then return nil end
  return id, tonumber(firstAt)
end

-- Merges an enqueue into the burst's pending task `id`: the task takes the enqueue's arguments
-- (nothing else of its definition changes) and becomes due `delayMs` from now, or at the
-- burst's cap, whichever comes first. The delayed set keeps its announcement rule
-- (addDelayed): a task moved later is not announced, workers find its new time when their
-- timer for the old one finds nothing due.
function debouncing.merge(base, key, queue, id, firstAt, args, burst, now)
  local dueAt = now + burst.delayMs
  if burst.maxDelayMs then dueAt = math.min(dueAt, firstAt + burst.maxDelayMs) end
  -- A burst whose enqueues gave different caps may find its cap passed: due at once.
  dueAt = math.max(dueAt, now)
  redis.call('HSET', taskKey(base, id), F_ARGS, args)
  addDelayed(base, queue, id, dueAt, now)
  redis.call('PEXPIRE', key, dueAt - now + debouncing.KEY_MARGIN_MS)
end

-- Starts a burst whose pending task is `id`, just written due at `dueAt`.
function debouncing.start(key, id, now, dueAt)
  redis.call('SET', key, now .. ':' .. id, 'PX', dueAt - now + debouncing.KEY_MARGIN_MS)
end
