-- Takes a named lock if no one holds it.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  lock name   ARGV[3]  owner token   ARGV[4]  holder label
-- ARGV[5]  ttl ms
-- Returns  { CODE.DONE, fencing number } when taken; { CODE.NOT_OWNER, the holder's remaining
--          ms } when held
--@include locks

local fence, left = lockTake(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
if fence then
  return { CODE.DONE, fence }
end
return { CODE.NOT_OWNER, left }
