-- Frees a named lock if the token still owns it, and publishes its name to waiters.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  lock name   ARGV[3]  owner token
-- Returns  CODE.DONE when freed; CODE.NOT_OWNER when the token no longer owns it (expired, or
--          someone else's now)
--@allow-oom
--@include locks

if lockFree(ARGV[1], ARGV[2], ARGV[3]) then
  return CODE.DONE
end
return CODE.NOT_OWNER
