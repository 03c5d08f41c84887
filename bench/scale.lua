-- wrk script of bench/scale.mjs: GETs SCALE_PATH with every "{i}" replaced by one random
-- integer from SCALE_FROM to SCALE_TO - 1 (the same i for each "{i}" of one request).
-- done() prints `BENCH_RESULT {json}` as bench/wrk.lua does.
local template = os.getenv("SCALE_PATH")
local from = tonumber(os.getenv("SCALE_FROM") or "0")
local to = tonumber(os.getenv("SCALE_TO") or "1")
local headers = { ["Authorization"] = "Bearer " .. (os.getenv("SCALE_KEY") or "sk_test_scale") }

function init(args)
  math.randomseed(os.time())
end

function request()
  local i = tostring(math.random(from, to - 1))
  local path = template:gsub("{i}", i)
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
