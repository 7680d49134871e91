-- wrk script: POST a batch of events to /api/events in the official Python
-- SDK's format (a JSON array; each event carries a UTC timestamp with
-- microseconds and a trailing Z; null fields left out).
--   BENCH_API_KEY=as_... wrk -t2 -c64 -d10s --latency -s bench/batch.lua http://127.0.0.1:PORT
-- BENCH_BATCH_SIZE sets the events per request (default 100).
-- See common.lua for the result line printed at the end.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local n = tonumber(os.getenv("BENCH_BATCH_SIZE") or "100")

local events = {}
for i = 0, n - 1 do
   events[#events + 1] = string.format(
      '{"timestamp": "2026-01-15T10:30:%02d.%06dZ", "agent_name": "SupportBot", ' ..
      '"action": "permission_check", "scope": "read:orders", "allowed": true, ' ..
      '"function_name": "get_order", "metadata": {}}',
      i % 60, (123456 + i * 1009) % 1000000)
end

common.setup("/api/events", "[" .. table.concat(events, ", ") .. "]", n)

done = common.done
