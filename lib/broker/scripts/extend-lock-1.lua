-- Extends many locks of one process in one call (the renewal tick), each if its token still
-- owns it.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2..] triples of lock name, owner token, ttl ms
-- Returns  one code per triple: 1 extended, 0 lost (expired, or someone else's now)
--@allow-oom
--@include locks

local base = ARGV[1]
local codes = {}
for i = 2, #ARGV, 3 do
  codes[#codes + 1] = lockExtend(base, ARGV[i], ARGV[i + 1], ARGV[i + 2]) and 1 or 0
end
return codes
