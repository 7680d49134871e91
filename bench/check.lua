-- wrk script: POST one decision to /v1/check, which the server answers with
-- 200 {"allowed", ...} once the decision is stored as one event.
--   BENCH_API_KEY=as_... wrk -t2 -c64 -d10s --latency -s bench/check.lua http://127.0.0.1:PORT
-- bench/run.sh gives the project's policy SupportBot with ["read:*"], so every
-- check is granted. See common.lua for the result line printed at the end.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

common.setup("/v1/check",
   '{"agent_name": "SupportBot", "scope": "read:orders", "function_name": "get_order"}',
   1)

done = common.done
