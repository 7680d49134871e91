-- Shared by the wrk scripts in bench/: request setup and the machine-readable
-- summary line. Loaded with dofile() from ingest.lua and batch.lua.
--
-- Environment (all optional):
--   BENCH_API_KEY   value of the X-API-Key header (default "as_bench_none")
--   BENCH_LABEL     free text copied into the result line (e.g. "server ingest #2")
--
-- done() prints exactly one line to stdout:
--   BENCH_RESULT {"label":...,"requests":N,"duration_us":N,"rps":X,...}
-- and, when any response was not 2xx or any socket error happened, a loud
-- "BENCH INVALID" line on stderr. wrk counts statuses >= 400 as status errors;
-- the server under test never answers 1xx/3xx, so requests - status errors is
-- the number of 2xx answers.

local M = {}

function M.setup(path, body, events_per_request)
   wrk.method = "POST"
   wrk.path = path
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["X-API-Key"] = os.getenv("BENCH_API_KEY") or "as_bench_none"
   M.events_per_request = events_per_request
end

local function json_string(s)
   s = tostring(s or "")
   s = s:gsub('[%c"\\]', function(c)
      if c == '"' then return '\\"' end
      if c == "\\" then return "\\\\" end
      return string.format("\\u%04x", c:byte())
   end)
   return '"' .. s .. '"'
end

function M.done(summary, latency, requests)
   local e = summary.errors
   local socket_errors = e.connect + e.read + e.write + e.timeout
   local seconds = summary.duration / 1e6
   local ok = summary.requests - e.status
   local epr = M.events_per_request or 1
   local fields = {
      string.format('"label":%s', json_string(os.getenv("BENCH_LABEL"))),
      string.format('"path":%s', json_string(wrk.path)),
      string.format('"events_per_request":%d', epr),
      string.format('"requests":%d', summary.requests),
      string.format('"ok_2xx":%d', ok),
      string.format('"non_2xx":%d', e.status),
      string.format('"socket_errors":%d', socket_errors),
      string.format('"errors_connect":%d', e.connect),
      string.format('"errors_read":%d', e.read),
      string.format('"errors_write":%d', e.write),
      string.format('"errors_timeout":%d', e.timeout),
      string.format('"duration_us":%d', summary.duration),
      string.format('"bytes":%d', summary.bytes),
      string.format('"rps":%.1f', summary.requests / seconds),
      string.format('"events_per_s":%.1f', ok * epr / seconds),
      string.format('"p50_us":%d', latency:percentile(50)),
      string.format('"p90_us":%d', latency:percentile(90)),
      string.format('"p99_us":%d', latency:percentile(99)),
      string.format('"p999_us":%d', latency:percentile(99.9)),
      string.format('"max_us":%d', latency.max),
      string.format('"mean_us":%.1f', latency.mean),
      string.format('"valid":%s', (e.status == 0 and socket_errors == 0) and "true" or "false"),
   }
   io.write("BENCH_RESULT {" .. table.concat(fields, ",") .. "}\n")
   if e.status ~= 0 or socket_errors ~= 0 then
      io.stderr:write(string.format(
         "\n!!!!!!!! BENCH INVALID: %s %s: %d of %d responses were not 2xx, " ..
         "%d socket errors (connect %d, read %d, write %d, timeout %d) !!!!!!!!\n\n",
         os.getenv("BENCH_LABEL") or "", wrk.path, e.status, summary.requests,
         socket_errors, e.connect, e.read, e.write, e.timeout))
   end
end

return M
