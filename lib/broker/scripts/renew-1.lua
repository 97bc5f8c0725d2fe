-- Extends the leases of a worker's running tasks in one call.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  lease ms   ARGV[3..] pairs of id, attempt
-- Returns  pairs of id, attempt whose lease was lost (no longer that attempt's): their outcome
--          will be fenced; then '|' and the ids whose cancellation was requested (a worker
--          that missed the pub/sub message, say on a dead socket, learns it here); then '|'
--          and the ids whose record vanished (Redis lost its data), also counted as lost.
--@allow-oom
--@include common
--@include runs

local base, leaseMs = ARGV[1], tonumber(ARGV[2])
local deadline = nowMs() + leaseMs
local lost, cancelled, vanished = {}, {}, {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local run, code = currentRun(base, id, ARGV[i + 1])
  if run then
    redis.call('ZADD', queueKey(base, run.queue, QUEUE_LEASES), 'XX', deadline, id)
    if run.cancel then cancelled[#cancelled + 1] = id end
  else
    lost[#lost + 1] = id
    lost[#lost + 1] = ARGV[i + 1]
    if code == CODE.NO_TASK then vanished[#vanished + 1] = id end
  end
end
lost[#lost + 1] = '|'
for _, id in ipairs(cancelled) do lost[#lost + 1] = id end
lost[#lost + 1] = '|'
for _, id in ipairs(vanished) do lost[#lost + 1] = id end
return lost
