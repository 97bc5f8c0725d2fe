-- One page of the named locks held now, soonest to expire first. Writes only to prune the
-- index of locks that expired unreleased.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  offset   ARGV[3]  how many
-- Returns  { how many are held, then per lock: name, holder label, fencing number, ms left }
--@allow-oom
--@include common

local base, offset, limit = ARGV[1], ARGV[2], ARGV[3]
local held, now = slotKey(base, FAMILY_LOCKSHELD), nowMs()
redis.call('ZREMRANGEBYSCORE', held, '-inf', now)
local names = redis.call('ZRANGEBYSCORE', held, '(' .. now, '+inf', 'LIMIT', offset, limit)
local reply = { redis.call('ZCARD', held) }
for _, name in ipairs(names) do
  local key = namedKey(base, FAMILY_LOCK, name)
  local fields = redis.call('HMGET', key, LOCK_HOLDER, LOCK_FENCE)
  -- Deleted by hand (or expired this very ms): not held, whatever the index says.
  if fields[1] then
    reply[#reply + 1] = name
    reply[#reply + 1] = fields[1]
    reply[#reply + 1] = fields[2]
    reply[#reply + 1] = redis.call('PTTL', key)
  end
end
return reply
