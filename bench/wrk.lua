-- One wrk script for every workload. Configured by environment variables:
--   BENCH_WORKLOAD  create | retrieve | update | list | list_email | search | path, or
--                   create_keyed | update_keyed: the same write with an Idempotency-Key
--                   header unique to each request (as the SDKs send with retries on)
--   BENCH_KEY       the API key (Authorization: Bearer ...)
--   BENCH_IDS       file with one customer id a line (retrieve, update)
--   BENCH_N         number of seeded customers user0..user{N-1} (list_email, search)
--   BENCH_TAG       a run-unique tag, so every created customer has a unique email
--   BENCH_PATH      path prefix for the retrieve workload (default /v1/customers/); for
--                   `path` (bench/scale.mjs), a GET path whose "{i}" becomes a random
--                   integer from BENCH_FROM to BENCH_N - 1 ("{i13}": the same, zero-padded
--                   to 13 digits, as in a bulk-seeded customer's id)
-- done() prints one line `BENCH_RESULT {json}` with wrk's own counters and latency
-- percentiles (microseconds), which run.mjs parses.
local workload = os.getenv("BENCH_WORKLOAD")
local key = os.getenv("BENCH_KEY") or "sk_test_bench"
local ids_file = os.getenv("BENCH_IDS")
local n = tonumber(os.getenv("BENCH_N") or "0")
local tag = os.getenv("BENCH_TAG") or "t"
local prefix = os.getenv("BENCH_PATH") or "/v1/customers/"
local from = tonumber(os.getenv("BENCH_FROM") or "0")

local threads = {}
local tid = 0

function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
  table.insert(threads, thread)
end

local ids = {}
local counter = 0
local get_headers = { ["Authorization"] = "Bearer " .. key }
local post_headers = {
  ["Authorization"] = "Bearer " .. key,
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  if ids_file and ids_file ~= "" then
    for line in io.lines(ids_file) do
      if line ~= "" then ids[#ids + 1] = line end
    end
  end
end

local function random_id()
  return ids[math.random(#ids)]
end

local function keyed_headers()
  local h = {}
  for k, v in pairs(post_headers) do h[k] = v end
  h["Idempotency-Key"] = "bench-" .. tag .. "-" .. tid .. "-" .. counter
  return h
end

function request()
  counter = counter + 1
  local headers = post_headers
  if workload == "create_keyed" or workload == "update_keyed" then headers = keyed_headers() end
  if workload == "create" or workload == "create_keyed" then
    local u = tag .. "-" .. tid .. "-" .. counter
    local body = "name=Bench+Customer+" .. u
      .. "&email=bench-" .. u .. "%40example.com"
      .. "&metadata%5Bref%5D=b" .. u
      .. "&metadata%5Btier%5D=t" .. (counter % 10)
      .. "&address%5Bline1%5D=" .. counter .. "+Main+Street"
      .. "&address%5Bcity%5D=Springfield"
      .. "&address%5Bpostal_code%5D=12345"
      .. "&address%5Bcountry%5D=US"
    return wrk.format("POST", "/v1/customers", headers, body)
  elseif workload == "retrieve" then
    return wrk.format("GET", prefix .. random_id(), get_headers)
  elseif workload == "update" or workload == "update_keyed" then
    local body = "metadata%5Btier%5D=u" .. tid .. "-" .. counter
    return wrk.format("POST", "/v1/customers/" .. random_id(), headers, body)
  elseif workload == "list" then
    return wrk.format("GET", "/v1/customers?limit=10", get_headers)
  elseif workload == "list_email" then
    local i = math.random(n) - 1
    return wrk.format("GET", "/v1/customers?limit=10&email=user" .. i .. "%40example.com", get_headers)
  elseif workload == "search" then
    local i = math.random(n) - 1
    return wrk.format("GET", "/v1/customers/search?query=metadata%5B%27ref%27%5D%3A%27r" .. i .. "%27", get_headers)
  elseif workload == "path" then
    local i = math.random(from, n - 1)
    local path = prefix:gsub("{i13}", string.format("%013d", i)):gsub("{i}", tostring(i))
    return wrk.format("GET", path, get_headers)
  else
    error("unknown BENCH_WORKLOAD " .. tostring(workload))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
