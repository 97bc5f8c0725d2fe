-- A live worker's marks on the queues it consumes (lib/catalog/queue-consumers.ts), rewritten
-- well before they expire: per queue, the consumed mark (KEY_FAMILIES.consumed) and, in the
-- queue's hosts hash (KEY_FAMILIES.hosts), each task name the worker has a handler for ('*':
-- any name) with the time its mark ends. Fields whose time has passed are removed here, so the
-- hash names only what live workers host. A mark never shortens a key's TTL: the keys expire
-- with the longest-lived mark, the hash with its last field.
-- Producers read both with queue-hosts-1.lua.
-- KEYS[1]  the prefix slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base (the prefix's slot)   ARGV[2]  TTL ms   ARGV[3]  number of queues n
-- ARGV[4..3+n]  the queues   ARGV[4+n..]  the task names the worker hosts ('*': any name)
-- Returns  CODE.DONE
--@include common

local base, ttl, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = nowMs()
local hostedUntil = tostring(now + ttl)
local fields = {}
for i = 4 + count, #ARGV do
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = hostedUntil
end
for i = 4, 3 + count do
  local queue = ARGV[i]
  local consumed = namedKey(base, FAMILY_CONSUMED, queue)
  if redis.call('PTTL', consumed) < ttl then
    redis.call('SET', consumed, '1', 'PX', ttl)
  end
  local hosts = namedKey(base, FAMILY_HOSTS, queue)
  local stale = {}
  local stored = redis.call('HGETALL', hosts)
  for at = 1, #stored, 2 do
    if tonumber(stored[at + 1]) <= now then
      stale[#stale + 1] = stored[at]
    end
  end
  callBatched('HDEL', hosts, stale)
  callBatched('HSET', hosts, fields)
  -- PTTL first, not PEXPIRE GT: that needs Redis 7.
  if redis.call('PTTL', hosts) < ttl then
    redis.call('PEXPIRE', hosts, ttl)
  end
end
return CODE.DONE
