-- wrk: POST /v1/match with REMPART_BATCH random PDQ hashes per request
-- (default 1: a platform checking one upload), a different hash every time,
-- so that nothing can be answered from a cache. Misses, almost always.
local key = os.getenv("REMPART_KEY")
local batch = tonumber(os.getenv("REMPART_BATCH") or "1")
wrk.method = "POST"
wrk.path = "/v1/match"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key
local hex = "0123456789abcdef"
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
local function random_hash()
  local t = {}
  for i = 1, 64 do
    local n = math.random(1, 16)
    t[i] = hex:sub(n, n)
  end
  return table.concat(t)
end
request = function()
  local q = {}
  for i = 1, batch do q[i] = '{"pdq":"' .. random_hash() .. '"}' end
  return wrk.format(nil, nil, nil, '{"queries":[' .. table.concat(q, ",") .. ']}')
end
