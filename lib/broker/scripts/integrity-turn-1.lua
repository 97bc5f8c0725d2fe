-- The integrity scan's turn-taking (see check-integrity-1.lua for what it looks for): one
-- worker scans at a time, the lock holding its token for one interval, and the walk's position
-- is kept in Redis, so that pages scanned by any worker walk every task record in turn. The
-- SCAN itself runs from the client, on every primary: task records are spread over the
-- queues' slots (the 'queue' layout), which no script on this slot may read.
-- KEYS[1]  the prefix slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  lock token   ARGV[3]  interval ms
-- ARGV[4]  (optional) the position to store: the page before it has been checked
-- Returns  nil when another worker holds the turn, else the walk's position ('0': from the
--          start), after storing ARGV[4] when given
--@include keys

local base, token, interval, position = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

local lock = slotKey(base, FAMILY_INTEGRITYLOCK)
if redis.call('GET', lock) ~= token and not redis.call('SET', lock, token, 'NX', 'PX', interval)
then
  return nil
end

local cursorKey = slotKey(base, FAMILY_INTEGRITYCURSOR)
if position then
  redis.call('SET', cursorKey, position)
  return position
end
return redis.call('GET', cursorKey) or '0'
