-- Tells the followers of a task that it is gone: the worker that ran it found no record when
-- it came to write the outcome (Redis lost its data while the task ran: a restart without
-- persistence, FLUSHALL, a failover). Without this UNKNOWN event its status$ and result()
-- would wait forever, since no other change of that task will ever be written.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  task id   ARGV[4]  task name
-- ARGV[5]  queue   ARGV[6]  attempt
-- Returns  CODE.DONE reported, CODE.UNCHANGED the task has a record again (enqueued anew
--          meanwhile): nothing said
--@include common

local base, maxLen, id, name, queue, attempt = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5],
  ARGV[6]
if redis.call('EXISTS', taskKey(base, id)) == 1 then
  return CODE.UNCHANGED
end
redis.call('XADD', queueKey(base, queue, QUEUE_EVENTS), 'MAXLEN', '~', maxLen, '*',
  'id', id, 'task', name, 'status', 'unknown', 'attempt', attempt)
ring(base, FAMILY_EVENTSBELL)
return CODE.DONE
