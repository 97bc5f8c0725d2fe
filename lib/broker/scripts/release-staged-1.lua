-- Ends the staged part of cross-slot batches in this slot (see enqueue-1.lua's 'stage'):
-- 'commit' (the coordinator's commit mark exists) places each task still staged for that batch
-- (ready, or delayed until its due time; a parked workflow member stays parked for its
-- predecessor); 'abort' (the commit was refused, or its deadline passed without one) deletes
-- them. A task no longer staged for the batch (released already, cancelled, expired) is left
-- alone, so running this again, or after another worker's sweep, changes nothing.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  'commit' | 'abort'   ARGV[3..] batch ids
-- Returns  how many tasks were placed or deleted
--@include common

local base, action = ARGV[1], ARGV[2]
local now = nowMs()
local batchesKey = slotKey(base, FAMILY_STAGEDBATCH)
local changed = 0

for i = 3, #ARGV do
  local batch = ARGV[i]
  local entry = redis.call('HGET', batchesKey, batch)
  local ok, staged = pcall(cjson.decode, entry or '')
  for _, task in ipairs(ok and type(staged) == 'table' and staged.t or {}) do
    local id, queue, dueAt = task[1], task[2], tonumber(task[3])
    local key = taskKey(base, id)
    local t = redis.call('HMGET', key, F_STAGED, F_STATUS, F_PRIORITY)
    if t[1] == batch then
      changed = changed + 1
      if action == 'abort' then
        redis.call('DEL', key)
      else
        redis.call('HDEL', key, F_STAGED)
        -- Cancelled while staged: it stays out of the queue.
        if t[2] == 'submitted' and dueAt >= 0 then
          if dueAt > now then
            addDelayed(base, queue, id, dueAt, now)
          else
            pushReady(base, queue, id, t[3], false)
          end
          wake(base, queue)
        end
      end
    end
  end
  redis.call('HDEL', batchesKey, batch)
  redis.call('ZREM', slotKey(base, FAMILY_STAGED), batch)
end
return changed
