-- wrk script: POST the bodies in $QUOTES (one JSON body per line) in turn to the configured path: quotes
-- for /api/quotes/verify, application envelopes {"quote": …, "resident_id": …} for /api/quotes.
-- With IDEMPOTENCY=1 every request carries a fresh Idempotency-Key (thread id + counter).
local bodies = {}
local file = assert(os.getenv("QUOTES"), "set QUOTES to a JSON-lines file of request bodies")
for line in io.lines(file) do
  if #line > 0 then bodies[#bodies + 1] = line end
end
local i, thread_id = 0, 0
local keyed = os.getenv("IDEMPOTENCY") == "1"
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  i = thread_id * 7919
end

function request()
  i = i % #bodies + 1
  local headers = { ["Content-Type"] = "application/json" }
  if keyed then headers["Idempotency-Key"] = string.format("bench-%d-%d-%d", thread_id, i, math.random(1, 2^30)) end
  return wrk.format("POST", nil, headers, bodies[i])
end

local statuses = {}
function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
