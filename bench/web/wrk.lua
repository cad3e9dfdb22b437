-- The web benchmark's wrk script (bench/web.sh). Reads its request from the environment:
--   BENCH_METHOD (GET or POST), BENCH_COOKIE (a Cookie header, optional),
--   BENCH_BODY (POST: the form body; "{n}" becomes a name unique to this run, thread and request),
--   BENCH_AUTH (an API token: sent as "Authorization: Bearer …", optional),
--   BENCH_RUN (a unique prefix for those names), BENCH_MIX ("METHOD path" entries separated by ";": cycled through),
--   BENCH_EXPECT (the status every answer must have; the others count as errors. Checking costs wrk time, so the
--   timed runs leave it out and the checked warm-up runs before them use it).
-- Prints one JSON line: requests, seconds, rps, p50_ms, p99_ms, errors (socket errors, HTTP status >= 400 and
-- answers without the expected status).
local method = os.getenv("BENCH_METHOD") or "GET"
local cookie = os.getenv("BENCH_COOKIE") or ""
local auth = os.getenv("BENCH_AUTH") or ""
local body = os.getenv("BENCH_BODY") or ""
local run = os.getenv("BENCH_RUN") or "0"
local expect = tonumber(os.getenv("BENCH_EXPECT") or "")
local mix = os.getenv("BENCH_MIX")

wrk.method = method
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
if auth ~= "" then wrk.headers["Authorization"] = "Bearer " .. auth end

local threads = {}
local counter = 0
unexpected = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local function unique_body()
  counter = counter + 1
  return (string.gsub(body, "{n}", run .. "-" .. tostring(id) .. "-" .. counter))
end

-- wrk.format replaces wrk.headers with the table it is given: the cookie goes into it too.
local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
if cookie ~= "" then form["Cookie"] = cookie end

-- A request built per call only where it must differ (a unique name) or rotate; otherwise wrk sends one prepared request.
if mix then
  local requests = {}
  for entry in string.gmatch(mix, "[^;]+") do
    local m, p = string.match(entry, "^(%S+) (%S+)$")
    table.insert(requests, { method = m, path = p })
  end
  local next = 0
  function request()
    next = next + 1
    local r = requests[(next % #requests) + 1]
    if r.method == "POST" then
      return wrk.format("POST", r.path, form, unique_body())
    end
    return wrk.format("GET", r.path)
  end
elseif method == "POST" then
  function request()
    return wrk.format("POST", nil, form, unique_body())
  end
end

if expect then
  function response(status, headers, body)
    if status ~= expect and status < 400 then
      unexpected = unexpected + 1
    end
  end
end

function done(summary, latency, requests_)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status
  for _, thread in ipairs(threads) do
    errors = errors + (thread:get("unexpected") or 0)
  end
  local seconds = summary.duration / 1e6
  io.write(string.format('{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
