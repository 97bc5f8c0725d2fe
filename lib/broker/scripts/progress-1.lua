-- Publishes a running task's progress (a RUNNING event carrying `progress`). Fenced.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  id   ARGV[4]  attempt
-- ARGV[5]  progress JSON
-- Returns  CODE.RECORDED published, CODE.FENCED, CODE.NO_TASK (see runs.lua)
-- The task keeps the latest progress as `<attempt>:<JSON>`: a later run does not clear it (that
-- would cost every claim a write), so readers show it only for the attempt that sent it.
--@include common
--@include runs

local base, maxLen, id, attempt = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local run, code = currentRun(base, id, attempt)
if not run then
  return code
end
recordStatus(base, run.key, id, run.name, run.queue, 'running', attempt, maxLen, {
  event = { 'progress', ARGV[5] }, fields = { F_PROGRESS, attempt .. ':' .. ARGV[5] },
})
return CODE.RECORDED
