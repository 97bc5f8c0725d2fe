-- One page of a queue's tasks in one state. Read only.
--   waiting  in claim order: lowest priority first, FIFO within a priority
--   delayed  earliest due first (score: due time)
--   running  earliest lease deadline first (score: lease deadline)
--   dead     latest failure first (score: failure time)
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue   ARGV[3]  state   ARGV[4]  offset   ARGV[5]  limit
-- Returns  CODE.UNKNOWN_QUEUE (checked on the prefix's slot only), else per task
--          { id, score (for waiting: the priority of its ready list), name, status, attempt,
--          priority, created at }
--          (record fields are false when the task has no readable record)
--@include common
--@include admin

local base, queue, state = ARGV[1], ARGV[2], ARGV[3]
local offset, limit = tonumber(ARGV[4]), tonumber(ARGV[5])
if not isKnownQueue(base, queue) then
  return CODE.UNKNOWN_QUEUE
end

local function waitingPage()
  local page, skip = {}, offset
  for _, list in ipairs(readyLists(base, queue)) do
    local wanted = limit - #page
    if wanted <= 0 then
      break
    end
    local length = redis.call('LLEN', list.key)
    if skip >= length then
      skip = skip - length
    else
      for _, id in ipairs(redis.call('LRANGE', list.key, skip, skip + wanted - 1)) do
        page[#page + 1] = { id, list.priority }
      end
      skip = 0
    end
  end
  return page
end

local SORTED = { delayed = { QUEUE_DELAYED, 'ZRANGE' }, running = { QUEUE_LEASES, 'ZRANGE' },
  dead = { QUEUE_DEAD, 'ZREVRANGE' } }

local function sortedPage(kind, command)
  local entries = redis.call(command, queueKey(base, queue, kind), offset, offset + limit - 1,
    'WITHSCORES')
  local page = {}
  for i = 1, #entries, 2 do
    page[#page + 1] = { entries[i], entries[i + 1] }
  end
  return page
end

local page = state == 'waiting' and waitingPage() or sortedPage(unpack(SORTED[state]))
for _, entry in ipairs(page) do
  -- pcall: a foreign key under our prefix must not make the listing fail.
  local t = redis.pcall('HMGET', taskKey(base, entry[1]), F_NAME, F_STATUS, F_ATTEMPT,
    F_PRIORITY, F_CREATEDAT)
  if t.err then
    t = {}
  end
  for i = 1, 5 do
    entry[i + 2] = t[i] or false
  end
end
return page
