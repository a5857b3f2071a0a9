-- wrk: one PDQ hash per request, a different random hash each time (what a
-- platform checking distinct uploads sends). Misses, almost always.
local key = os.getenv("REMPART_KEY")
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
  return wrk.format(nil, nil, nil, '{"queries":[{"pdq":"' .. random_hash() .. '"}]}')
end
