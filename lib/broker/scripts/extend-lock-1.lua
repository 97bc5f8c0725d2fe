-- Extends many locks of one process in one call (the renewal tick), each if its token still
-- owns it.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2..] triples of lock name, owner token, ttl ms
-- Returns  one code per triple: CODE.DONE extended, CODE.NOT_OWNER lost (expired, or someone
--          else's now)
--@allow-oom
--@include locks

local base, now = ARGV[1], nowMs()
local codes = {}
for i = 2, #ARGV, 3 do
  local extended = lockExtend(base, ARGV[i], ARGV[i + 1], ARGV[i + 2], now)
  codes[#codes + 1] = extended and CODE.DONE or CODE.NOT_OWNER
end
return codes
