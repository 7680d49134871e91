-- wrk script: POST the reference's example event to /ingest-event.
--   BENCH_API_KEY=as_... wrk -t2 -c64 -d10s --latency -s bench/ingest.lua http://127.0.0.1:PORT
-- See common.lua for the result line printed at the end.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

common.setup("/ingest-event",
   '{"agent_name": "SupportBot", "action": "permission_check", "scope": "read:orders", ' ..
   '"allowed": true, "function_name": "get_order", "metadata": {}}',
   1)

done = common.done
