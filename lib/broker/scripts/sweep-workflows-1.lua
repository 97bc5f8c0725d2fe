-- The per-slot sweep of cross-slot workflows (run with the lease sweep): hands back the
-- handoffs of this slot's outbox older than `age` (their writer's delivery did not happen: it
-- died, or Redis was away), moving each to now so that another sweeper leaves it alone for
-- `age`; and the staged batches whose commit deadline passed `age` ago (the writer died
-- between staging and releasing), for the caller to finish or undo (release-staged-1.lua).
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  age ms   ARGV[3]  at most this many of each
-- Returns  { handoffs..., '|', batch id, its staged JSON, ... }
--@include common

local base, age, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = nowMs()
local reply = {}

local outbox = slotKey(base, FAMILY_OUTBOX)
local due = redis.call('ZRANGEBYSCORE', outbox, '-inf', now - age, 'LIMIT', 0, limit)
for _, member in ipairs(due) do
  redis.call('ZADD', outbox, 'XX', now, member)
  reply[#reply + 1] = member
end
reply[#reply + 1] = '|'

local staged = slotKey(base, FAMILY_STAGED)
local batches = redis.call('ZRANGEBYSCORE', staged, '-inf', now - age, 'LIMIT', 0, limit)
for _, batch in ipairs(batches) do
  local entry = redis.call('HGET', slotKey(base, FAMILY_STAGEDBATCH), batch)
  if entry then
    reply[#reply + 1] = batch
    reply[#reply + 1] = entry
  else
    redis.call('ZREM', staged, batch)
  end
end
return reply
