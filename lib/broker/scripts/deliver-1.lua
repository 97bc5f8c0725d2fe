-- Applies workflow handoffs written by another slot (a step ended there: release or stop the
-- next step here; a chord part ended there: count its result or fail the callback here). Each
-- acts only if its target still waits for exactly it (see applyHandoff), so a handoff applied
-- twice (sent again by a sweep, or by ioredis after a reconnect) changes nothing the second
-- time. The caller then removes them from their slot's outbox.
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3..] the handoffs (JSON, from an outbox)
-- Returns  the handoffs this wrote to its own outbox in turn (a stop that goes on to a step
--          in a third slot)
--@allow-oom
--@include chains
--@include workflows

local base, maxLen = ARGV[1], ARGV[2]
handoffsBegin()
for i = 3, #ARGV do
  local ok, h = pcall(cjson.decode, ARGV[i])
  -- Not ours (foreign data in an outbox): skipped, so that it cannot stop the others.
  if ok and type(h) == 'table' and h.t == base and type(h.to) == 'string' then
    applyHandoff(base, h, maxLen)
  end
end
return takeHandoffs()
