-- wrk script of `make bench` (scripts/bench.sh): one request kind per run,
-- chosen by BENCH_MODE, with a random token (and post id) per request.
--   post   GET  /api/v1/posts/{id}   ids from BENCH_IDS, all public
--   feed   GET  /api/v1/feed
--   create POST /api/v1/posts
--   login  POST /api/v1/auth/login   user1..userBENCH_USERS, BENCH_PASSWORD
-- Tokens come from BENCH_TOKENS (one access token a line). done() prints one
-- JSON line in loadgen's result format; BENCH_NAME names the row.
local mode = os.getenv("BENCH_MODE") or "post"
local tokens, ids = {}, {}
local users = tonumber(os.getenv("BENCH_USERS") or "1")
local password = os.getenv("BENCH_PASSWORD") or ""

local function lines(path, into)
  if not path then return end
  for l in io.lines(path) do
    if l ~= "" then into[#into + 1] = l end
  end
end

local seq = 0
function setup(thread)
  seq = seq + 1
  thread:set("seed", seq)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
  lines(os.getenv("BENCH_TOKENS"), tokens)
  if mode == "post" then lines(os.getenv("BENCH_IDS"), ids) end
end

local json = { ["Content-Type"] = "application/json" }
local n = 0

function request()
  n = n + 1
  if mode == "login" then
    local body = string.format('{"login":"user%d","password":"%s"}', math.random(users), password)
    return wrk.format("POST", "/api/v1/auth/login", json, body)
  end
  local h = { Authorization = "Bearer " .. tokens[math.random(#tokens)] }
  if mode == "post" then
    return wrk.format("GET", "/api/v1/posts/" .. ids[math.random(#ids)], h)
  elseif mode == "feed" then
    return wrk.format("GET", "/api/v1/feed", h)
  else -- create
    h["Content-Type"] = "application/json"
    local body = string.format('{"body":"Benchmark post %d: shipping the quarterly roadmap review today.","visibility":"public"}', n)
    return wrk.format("POST", "/api/v1/posts", h, body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"key":"%s","name":"%s","tool":"wrk","mode":"saturation","conns":%d,"requests":%d,"seconds":%.3f,' ..
    '"throughput":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d}\n',
    os.getenv("BENCH_KEY") or mode, os.getenv("BENCH_NAME") or mode, tonumber(os.getenv("BENCH_CONNS") or "0"), summary.requests, seconds,
    (summary.requests - errors) / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
