-- wrk: uploads one JPEG (REMPART_JPEG) per request to be hashed and matched.
local key = os.getenv("REMPART_KEY")
local file = assert(io.open(os.getenv("REMPART_JPEG"), "rb"))
local body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.path = "/v1/hash-match"
wrk.body = body
wrk.headers["Content-Type"] = "image/jpeg"
wrk.headers["Authorization"] = "Bearer " .. key
