-- Counts the finished runs among one page of a queue's events stream, newest first, so that
-- stats() learns the recent outcomes without the events travelling to the client. Read only.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  queue   ARGV[3]  where to start: '+' (the newest entry) or
--          '(<stream id>' (before that entry)   ARGV[4]  page size
-- Returns  { succeeded, failed, cancelled, entries read, id of the oldest entry read ('') }
--@include common

local base, queue, from, count = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local entries = redis.call('XREVRANGE', queueKey(base, queue, QUEUE_EVENTS), from, '-',
  'COUNT', count)
local counts = { succeeded = 0, failed = 0, cancelled = 0 }
for _, entry in ipairs(entries) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'status' then
      local status = fields[i + 1]
      if counts[status] then
        counts[status] = counts[status] + 1
      end
      break
    end
  end
end
local oldest = entries[#entries]
return { counts.succeeded, counts.failed, counts.cancelled, #entries, oldest and oldest[1] or '' }
