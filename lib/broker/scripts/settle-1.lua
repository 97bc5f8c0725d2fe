-- The worker's one round trip: records the outcomes of finished runs (includes/outcomes.lua),
-- then claims up to `wanted` tasks (includes/claim.lua: promotes due delayed tasks, pops the
-- lowest priority first, FIFO within a priority, and marks each RUNNING under a lease and a
-- new attempt number).
-- KEYS[1]  the slot's routing key, '<base>:' (routes the call on Cluster; never written)
-- ARGV[1]  key base   ARGV[2]  events MAXLEN   ARGV[3]  lease ms   ARGV[4]  wanted
-- ARGV[5]  dead-letter TTL ms   ARGV[6]  number of outcomes, then 6 fields per outcome:
--          kind ('complete' | 'retry' | 'fail' | 'cancel' | 'release'; a trailing '?' marks a
--          repeat of a write that may have run already, see repeatedOutcome), id, attempt,
--          payload (result, or error JSON), retry delay ms, error summary for the history
--          (JSON array [name, message])
-- ARGV[..] the task names this worker has handlers for (a task of another name is held aside,
--          see includes/limits.lua): '*' (any name); '#', their digest (the set of the names
--          stored under it, KEY_FAMILIES.handlers); or '+', the digest, their number n and the
--          n names (stored under the digest); then the queues to claim from, in order (paused
--          ones are skipped)
-- Returns  { codes, nextDueIn, handoffs, claimed... }: one outcome code per outcome (see
--          outcomes.lua); ms until the earliest delayed task of these queues is due or one of
--          their rate limits frees a start (-1: none);
--          the workflow handoffs the outcomes wrote to this slot's outbox, for tasks of other
--          slots (includes/chains.lua; the caller delivers them); and each
--          claimed task as { id, name, queue, args, attempt, failures, options, metadata,
--          previous step's result, previous step's error, '1' when the previous "result" is
--          a chord's JSON array of results (workflows; '' when none), ms it waited since it
--          was enqueued or became due, the enqueue span's traceparent ('' when none) }.
--          nextDueIn is CODE.HANDLERS_UNKNOWN, and nothing is claimed, when '#' names a digest
--          whose set this slot does not have
--@allow-oom
--@include chains
--@include outcomes
--@include claim

local base, maxLen, leaseMs = ARGV[1], ARGV[2], tonumber(ARGV[3])
local wanted, deadTtl, outcomeCount = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local now = nowMs()
handoffsBegin()

local codes = {}
local OUTCOME_FIELDS = 6
for i = 1, outcomeCount do
  local at = 7 + (i - 1) * OUTCOME_FIELDS
  local kind, id, attempt, payload = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  local isRepeat = kind:sub(-1) == '?'
  if isRepeat then
    kind = kind:sub(1, -2)
  end
  if kind == 'complete' then
    codes[i] = complete(base, id, attempt, payload, maxLen)
  elseif kind == 'retry' then
    codes[i] = retry(base, id, attempt, payload, ARGV[at + 5], tonumber(ARGV[at + 4]), now, maxLen)
  elseif kind == 'fail' then
    codes[i] = fail(base, id, attempt, payload, ARGV[at + 5], deadTtl, now, maxLen)
  elseif kind == 'cancel' then
    codes[i] = cancelRun(base, id, attempt, maxLen)
  else
    codes[i] = release(base, id, attempt, maxLen)
  end
  -- A refusal (a negative code) of a repeat may hide that its first send was written.
  if isRepeat and codes[i] < 0 then
    codes[i] = repeatedOutcome(base, id, attempt, kind, codes[i])
  end
end

local claim = { base = base, now = now, leaseMs = leaseMs, deadTtl = deadTtl, maxLen = maxLen }
local at = 7 + outcomeCount * OUTCOME_FIELDS
local reply = { codes, -1, takeHandoffs() }
local hosted
if ARGV[at] == '*' then
  at = at + 1
else
  hosted = flow.handlers(base, ARGV[at + 1])
  if ARGV[at] == '+' then
    local count = tonumber(ARGV[at + 2])
    hosted.store(ARGV, at + 3, at + 2 + count)
    at = at + 3 + count
  elseif not hosted.known() then
    reply[2] = CODE.HANDLERS_UNKNOWN
    return reply
  else
    at = at + 2
  end
end
local queues = {}
for i = at, #ARGV do
  queues[#queues + 1] = { name = ARGV[i], hosted = hosted }
end
reply[2] = claimTasks(claim, queues, wanted, reply)
return reply
