-- Named locks (LockService). A lock is a hash `{prefix}:lock:<name>` with a TTL, holding the
-- owner's random token, a readable holder label and a fencing number. Any script can take,
-- extend or free a lock with these helpers in the same atomic step as its other changes (for
-- example a claim that takes a task's lock), and it then excludes LockService holders too.
-- Each keeps the index of held locks (FAMILY_LOCKSHELD: name -> expiry) in the same step.
--@include common

-- Takes the lock if no one holds it. Returns the new fencing number, or nil and the holder's
-- remaining ms (so a waiter can try again exactly when it expires).
local function lockTake(base, name, token, holder, ttl)
  local key = namedKey(base, FAMILY_LOCK, name)
  if redis.call('EXISTS', key) == 1 then
    return nil, redis.call('PTTL', key)
  end
  -- One counter for every lock of the prefix: still increasing per name, and one key only.
  local fence = redis.call('INCR', slotKey(base, FAMILY_LOCKFENCE))
  redis.call('HSET', key, LOCK_TOKEN, token, LOCK_HOLDER, holder, LOCK_FENCE, fence)
  redis.call('PEXPIRE', key, ttl)
  local held, now = slotKey(base, FAMILY_LOCKSHELD), nowMs()
  -- Entries of locks that expired unreleased (their holder died) go here, a few at a time.
  redis.call('ZREMRANGEBYSCORE', held, '-inf', now)
  redis.call('ZADD', held, now + tonumber(ttl), name)
  return fence
end

-- Sets the lock's TTL again, if `token` still owns it. `now`: the server time (nowMs()), read
-- once by a caller that extends many locks.
local function lockExtend(base, name, token, ttl, now)
  local key = namedKey(base, FAMILY_LOCK, name)
  if redis.call('HGET', key, LOCK_TOKEN) ~= token then
    return false
  end
  redis.call('PEXPIRE', key, ttl)
  redis.call('ZADD', slotKey(base, FAMILY_LOCKSHELD), 'XX', now + tonumber(ttl), name)
  return true
end

-- Deletes the lock, if `token` still owns it (a stale owner never frees someone else's lock),
-- and tells waiting processes.
local function lockFree(base, name, token)
  local key = namedKey(base, FAMILY_LOCK, name)
  if redis.call('HGET', key, LOCK_TOKEN) ~= token then
    return false
  end
  redis.call('DEL', key)
  redis.call('ZREM', slotKey(base, FAMILY_LOCKSHELD), name)
  redis.call('PUBLISH', slotKey(base, FAMILY_LOCKRELEASED), name)
  return true
end
